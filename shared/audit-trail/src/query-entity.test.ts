import { queryEntity, withoutCredentials } from './refusal-event';

const decoded = (query: string) =>
  Buffer.from(queryEntity(query).query ?? '', 'base64').toString('utf8');

describe('the query kept in the trail', () => {
  it('is the raw query as received when it carries no credential', () => {
    const raw = 'patient.identifier=urn:oid:1.2.250.1.213.1.4.8%7C255081416802538&status=current';

    expect(decoded(raw)).toBe(raw);
  });

  it('keeps no token a client put in the URL, whatever its spelling', () => {
    const raw =
      'status=current&access_token=eyJhbGciOi.x.y&ACCESS_TOKEN=a&access%5Ftoken=b&id_token=c' +
      '&refresh_token=d&token=e&client_secret=f&client_assertion=g&access_token';

    expect(withoutCredentials(raw)).toBe(
      'status=current&access_token=[redacted]&ACCESS_TOKEN=[redacted]&access%5Ftoken=[redacted]' +
        '&id_token=[redacted]&refresh_token=[redacted]&token=[redacted]' +
        '&client_secret=[redacted]&client_assertion=[redacted]&access_token=[redacted]',
    );
    expect(decoded(raw)).not.toMatch(/eyJ|=[a-g](&|$)/);
  });

  it('leaves FHIR search parameters alone, code among them, and survives bad escapes', () => {
    const raw = 'code=submissionset&_token=1&tokens=2&%E0%A4%A=3';

    expect(withoutCredentials(raw)).toBe(raw);
  });
});
