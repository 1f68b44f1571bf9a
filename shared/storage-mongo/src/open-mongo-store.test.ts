import { SEARCH_PARAMETERS } from '@dmp/fhir';
import { openMongoStore } from './open-mongo-store';

describe('openMongoStore without a reachable server', () => {
  it('fails with a 503 DMP-STORAGE-UNAVAILABLE, not a driver error', async () => {
    await expect(
      openMongoStore({
        url: 'mongodb://127.0.0.1:9/dmp',
        searchParameters: SEARCH_PARAMETERS,
        clientOptions: { serverSelectionTimeoutMS: 300, connectTimeoutMS: 300 },
      }),
    ).rejects.toMatchObject({ status: 503, code: 'DMP-STORAGE-UNAVAILABLE' });
  });
});
