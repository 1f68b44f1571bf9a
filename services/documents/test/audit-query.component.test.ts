import request from 'supertest';
import type { AuditEvent } from 'fhir/r4';
import { makeIns } from './builders';
import { openHarness, type Harness } from './harness';

/**
 * The query a documents AuditEvent keeps (BALP: the raw query) never holds a credential, even
 * when a client put its token in the URL: searched or refused, the value is redacted.
 */
let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(() => h.close());

const SECRET = 'eyJhbGciOiJFUzI1NiJ9.secret-payload.signature';

async function recordedQueries(): Promise<string[]> {
  const records = await h.store.outbox.claim('audit', 100, 60_000);
  return records.flatMap((record) =>
    ((record.payload as AuditEvent).entity ?? []).flatMap((entity) =>
      entity.query ? [Buffer.from(entity.query, 'base64').toString('utf8')] : [],
    ),
  );
}

describe('the query in documents AuditEvents', () => {
  beforeEach(async () => {
    await h.store.outbox.claim('audit', 10_000, 60_000); // earlier records out of the way
  });

  it('keeps no token sent in the URL of an answered search', async () => {
    const query = `patient.identifier=urn:oid:1.2.250.1.213.1.4.8|${makeIns(71)}&status=current&access_token=${SECRET}`;

    // Lenient: the unknown parameter is ignored and the search answered.
    const res = await request(h.app)
      .get(`/fhir/DocumentReference?${query}`)
      .set('Authorization', `Bearer ${h.systemToken}`)
      .set('Prefer', 'handling=lenient');

    expect(res.status).toBe(200);
    const queries = await recordedQueries();
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.join('\n')).not.toContain(SECRET);
    expect(queries.join('\n')).toContain('access_token=[redacted]');
  });

  it('keeps no token sent in the URL of a refused request (strict: unknown parameter)', async () => {
    const token = await h.token({
      sub: 'app',
      scope: 'system/List.rs',
      extensions: { fr_dmp: { actor_kind: 'system' } },
    });

    await request(h.app)
      .get(`/fhir/DocumentReference?status=current&access_token=${SECRET}`)
      .set('Authorization', `Bearer ${token}`)
      .expect(400);

    const queries = await recordedQueries();
    expect(queries).toEqual(['status=current&access_token=[redacted]']);
  });
});
