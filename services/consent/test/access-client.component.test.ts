import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { AccessDecisionUnavailable, createAccessClient } from '@dmp/consent-client';
import { openHarness, patientParameters, patientToken, systemToken, type Harness } from './harness';

const INS = '180017512345660';

let h: Harness;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  h = await openHarness('client');
  const patient = await patientToken(h.issuer, INS);
  await request(h.app)
    .post('/fhir/Patient/$dmp-open')
    .set('Authorization', `Bearer ${patient}`)
    .send(patientParameters(INS))
    .expect(201);
  server = createServer(h.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await h.close();
});

const question = {
  subject: { type: 'patient' as const, id: INS, properties: { patient: INS } },
  action: { name: 'search' as const },
  resource: { type: 'dmp' as const, properties: { patient: INS } },
};

describe('the access decision client', () => {
  it('asks the consent service and returns its decision and obligations', async () => {
    const client = createAccessClient({ baseUrl, token: () => systemToken(h.issuer) });

    const answer = await client.evaluate(question);

    expect(answer.decision).toBe(true);
    expect(answer.context.obligations?.exclude_labels).toEqual(['INVISIBLE_PATIENT']);
  });

  it('evaluates a batch in one call', async () => {
    const client = createAccessClient({ baseUrl, token: () => systemToken(h.issuer) });

    const answers = await client.evaluateMany({
      ...question,
      evaluations: [
        {},
        {
          action: { name: 'update-metadata', properties: { changes: ['status:entered-in-error'] } },
        },
      ],
    });

    expect(answers.evaluations.map((e) => e.decision)).toEqual([true, false]);
  });

  it('fails closed: a refused call or an unreachable service throws AccessDecisionUnavailable', async () => {
    const refused = createAccessClient({ baseUrl, token: () => patientToken(h.issuer, INS) });
    const unreachable = createAccessClient({ baseUrl: 'http://127.0.0.1:1', token: () => 'x' });

    await expect(refused.evaluate(question)).rejects.toMatchObject({
      name: 'AccessDecisionUnavailable',
      status: 403,
    });
    await expect(unreachable.evaluate(question)).rejects.toBeInstanceOf(AccessDecisionUnavailable);
  });
});
