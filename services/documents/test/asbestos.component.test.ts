import request from 'supertest';
import { describeAsbestosCorpus, type CorpusAnswer } from './asbestos-corpus';
import { openHarness, type Harness } from './harness';

/** The NIST asbestos MHD v4.2.0 Document Recipient corpus, each bundle posted as FHIR JSON. */
let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(() => h.close());

async function post(bundle: object): Promise<CorpusAnswer> {
  const res = await request(h.app)
    .post('/fhir/')
    .set('Authorization', `Bearer ${h.systemToken}`)
    .set('Content-Type', 'application/fhir+json')
    .send(JSON.stringify(bundle));
  return { status: res.status, body: res.body as CorpusAnswer['body'] };
}

describeAsbestosCorpus('asbestos MHDv420 %s collection', post);
