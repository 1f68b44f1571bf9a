import { SEARCH_PARAMETERS } from '@dmp/fhir';
import { describeAuditLogContract } from '@dmp/storage';
import { fakeClient } from '../fake-driver/fake-client';
import { FakeServer } from '../fake-driver/fake-server';
import { openMongoAuditLogOnClient } from './open-mongo-audit-log';

/** The AuditLog contract on the real MongoDB adapter over the in-memory stand-in of the driver. */
describeAuditLogContract({
  name: 'mongo adapter on the fake driver',
  open: () =>
    openMongoAuditLogOnClient(fakeClient(new FakeServer()), {
      dbName: 'fake',
      searchParameters: SEARCH_PARAMETERS,
      retry: { maxAttempts: 8, backoffMs: 1 },
    }),
  teardown: (log) => log.close(),
});
