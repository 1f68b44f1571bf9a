import request from 'supertest';
import { EMPTY_POLICY, type AccessPolicy } from '../src/app';
import {
  change,
  hospitalToken,
  INS_SYSTEM,
  loadExamplePolicy,
  openDmpOf,
  openHarness,
  patientParameters,
  patientToken,
  systemToken,
} from './harness';

const INS = '279035121518989';
const OTHER_INS = '285059900012303';
const DR = '810000000301';

/**
 * The change feed over HTTP: what the documents instances follow to forget stale decisions,
 * and how a change waits for them. Each harness has its own lease so that "still waiting" is a
 * state the test reaches long before the bound.
 */
async function openFeedHarness(name: string, feedLeaseMs: number, loadPolicy?: () => AccessPolicy) {
  const h = await openHarness(name, { feedLeaseMs, ...(loadPolicy ? { loadPolicy } : {}) });
  const service = await systemToken(h.issuer);
  const patient = await openDmpOf(h, INS);
  const poll = (follower: string, after?: number) =>
    request(h.app)
      .get('/access/v1/changes')
      .query({ follower, ...(after === undefined ? {} : { after }) })
      .set('Authorization', `Bearer ${service}`);
  const block = () =>
    request(h.app)
      .post('/fhir/Consent/$dmp-change')
      .set('Authorization', `Bearer ${patient}`)
      .send(patientParameters(INS, change('block', DR)));
  const metric = async (result: string) => {
    const text = (await request(h.app).get('/metrics').set('Authorization', `Bearer ${service}`))
      .text;
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('consent_change_acknowledgements_total') && l.includes(`result="${result}"`),
      );
    return Number(line?.split(' ').pop() ?? 0);
  };
  return { h, service, patient, poll, block, metric };
}

describe('the change feed (GET /access/v1/changes)', () => {
  let f: Awaited<ReturnType<typeof openFeedHarness>>;
  beforeAll(async () => {
    f = await openFeedHarness('feed', 10_000);
  });
  afterAll(() => f.h.close());

  it('registers a follower at the head, with the lease and the policy fingerprint', async () => {
    const res = await f.poll('documents-a').expect(200);

    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      changes: [],
      head: expect.any(Number),
      lease_ms: 10_000,
      policy: expect.stringMatching(/^.+#[0-9a-f]{16}$/),
    });
  });

  it('answers a change only after every live follower acknowledged it, and tells each the patient', async () => {
    const { head } = (await f.poll('documents-a')).body as { head: number };
    const other = (await f.poll('documents-b')).body as { head: number };
    let answered = false;
    const changed = f.block().then((res) => {
      answered = true;
      return res;
    });

    const first = await f.poll('documents-a', head).expect(200);
    expect(first.body.changes).toEqual([
      { seq: head + 1, kind: 'patient', patient: { system: INS_SYSTEM, value: INS } },
    ]);
    // Each acknowledgement is the follower's next poll, which then waits for the next change.
    const acknowledgements = [f.poll('documents-a', head + 1).then((res) => res)];
    const second = await f.poll('documents-b', other.head).expect(200);
    expect(second.body.changes.map((c: { seq: number }) => c.seq)).toEqual([head + 1]);
    expect(answered).toBe(false);

    acknowledgements.push(f.poll('documents-b', head + 1).then((res) => res));
    expect((await changed).status).toBe(200);
    expect(await f.metric('acknowledged')).toBeGreaterThanOrEqual(1);
    expect((await Promise.all(acknowledgements)).map((res) => res.status)).toEqual([200, 200]);
  });

  it('a waiting poll answers as soon as a change commits', async () => {
    const { head } = (await f.poll('documents-c')).body as { head: number };
    const waiting = f.poll('documents-c', head).then((res) => res);
    const opened = request(f.h.app)
      .post('/fhir/Patient/$dmp-open')
      .set('Authorization', `Bearer ${await patientToken(f.h.issuer, OTHER_INS)}`)
      .send(patientParameters(OTHER_INS))
      .then((res) => res);

    const res = await waiting;
    expect(res.status).toBe(200);
    expect(res.body.changes).toEqual([
      { seq: head + 1, kind: 'patient', patient: { system: INS_SYSTEM, value: OTHER_INS } },
    ]);
    const acknowledgements = ['documents-a', 'documents-b', 'documents-c'].map((follower) =>
      f.poll(follower, head + 1).then((r) => r),
    );
    expect((await opened).status).toBe(201);
    await Promise.all(acknowledgements);
  });

  it('an acknowledgement beyond the head (a restored database) answers the head, renewing nothing', async () => {
    const res = await f.poll('documents-d', 1_000_000).expect(200);

    expect(res.body.head).toBeLessThan(1_000_000);
    expect(res.body.changes).toEqual([]);
  });

  it('is for the decision clients only, and refuses bad parameters with 400', async () => {
    const hospital = await hospitalToken(f.h.issuer);
    const refused = await request(f.h.app)
      .get('/access/v1/changes?follower=x')
      .set('Authorization', `Bearer ${hospital}`)
      .expect(403);
    expect(refused.body.issue[0].details.coding[0].code).toBe('DMP-AUTH-SERVICE-ONLY');
    for (const query of ['', 'follower=a%20b', 'follower=a&after=-1', 'follower=a&after=x1']) {
      const bad = await request(f.h.app)
        .get(`/access/v1/changes?${query}`)
        .set('Authorization', `Bearer ${f.service}`)
        .expect(400);
      expect(bad.body.issue[0].details.coding[0].code).toBe('DMP-CONSENT-REQUEST-INVALID');
    }
  });
});

describe('a follower that does not acknowledge', () => {
  it('delays a change by the bound at most, and only while its lease ran at the commit', async () => {
    const f = await openFeedHarness('feed-bound', 300);
    try {
      const { head } = (await f.poll('silent')).body as { head: number };
      const acknowledged = await f.metric('acknowledged');

      expect((await f.block()).status).toBe(200);
      expect(await f.metric('bound')).toBe(1);

      // Its lease has ended by now: the next change no longer waits for it.
      await new Promise((resolve) => setTimeout(resolve, 350));
      await request(f.h.app)
        .post('/fhir/Consent/$dmp-change')
        .set('Authorization', `Bearer ${f.patient}`)
        .send(patientParameters(INS, change('unblock', DR)))
        .expect(200);
      expect(await f.metric('bound')).toBe(1);
      expect(await f.metric('acknowledged')).toBe(acknowledged + 1);
      expect((await f.poll('silent', head)).body.changes).toHaveLength(2);
    } finally {
      await f.h.close();
    }
  });
});

describe('POST /admin/v1/policy/reload', () => {
  it('puts a new policy in force, announces it, and keeps the old one when the new cannot be read', async () => {
    const example = loadExamplePolicy();
    let next: () => AccessPolicy = () => example;
    const f = await openFeedHarness('feed-policy', 10_000, () => next());
    try {
      const operator = await hospitalToken(f.h.issuer, 'dmp-operator');
      const reload = () =>
        request(f.h.app).post('/admin/v1/policy/reload').set('Authorization', `Bearer ${operator}`);
      const registered = (await f.poll('documents-p')).body as { head: number; policy: string };

      const same = await reload().expect(200);
      expect(same.body).toEqual({
        version: example.version,
        policy: registered.policy,
        changed: false,
      });

      next = () => ({ ...EMPTY_POLICY, version: 'stricter' });
      const reloaded = reload().then((res) => res);
      const announced = await f.poll('documents-p', registered.head).expect(200);
      expect(announced.body.changes).toEqual([{ seq: registered.head + 1, kind: 'policy' }]);
      expect(announced.body.policy).toMatch(/^stricter#/);
      const acknowledgement = f.poll('documents-p', registered.head + 1).then((r) => r);
      expect((await reloaded).body).toMatchObject({ version: 'stricter', changed: true });
      await acknowledgement;

      next = () => {
        throw new Error('policy file: matrix must be an object');
      };
      const invalid = await reload().expect(422);
      expect(invalid.body.issue[0].details.coding[0].code).toBe('DMP-CONSENT-POLICY-INVALID');
      expect((await f.poll('documents-q')).body.policy).toMatch(/^stricter#/);

      const refused = await request(f.h.app)
        .post('/admin/v1/policy/reload')
        .set('Authorization', `Bearer ${f.service}`)
        .expect(403);
      expect(refused.body.issue[0].details.coding[0].code).toBe('DMP-AUTH-SERVICE-ONLY');
    } finally {
      await f.h.close();
    }
  });
});
