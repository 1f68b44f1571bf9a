import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AuditEvent } from 'fhir/r4';
import type { Actor } from '@dmp/auth';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import { createGroupCommitOutbox, type ResourceStore } from '@dmp/storage';
import { openSqliteStore } from '@dmp/storage-sqlite';
import { AUDIT_TOPIC, createOutboxAuditSink, createScopeAccessDecider } from '../src/app';
import { describeAccessDeciderContract } from '../src/ports/access-decider.contract';
import { describeAuditSinkContract } from '../src/ports/audit-sink.contract';

function actor(scopes: string[]): Actor {
  return {
    kind: 'system',
    id: 'lps',
    roles: [],
    purposeOfUse: [],
    accessMode: 'normal',
    scopes,
    issuer: 'test',
  };
}

describeAccessDeciderContract({
  name: 'in-process scope decider',
  decider: createScopeAccessDecider,
  permitted: () => actor(['ITI-67']),
  refused: () => actor(['system/List.rs']),
});

let dir: string;
let store: ResourceStore;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dmp-audit-sink-'));
  store = openSqliteStore({ file: ':memory:', blobDir: dir, searchParameters: SEARCH_PARAMETERS });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describeAuditSinkContract({
  name: 'outbox audit sink (SQLite)',
  sink: () => createOutboxAuditSink(createGroupCommitOutbox(store)),
  recorded: async () => {
    const records = await store.outbox.claim(AUDIT_TOPIC, 10_000, 0);
    return records.map((record) => record.payload as AuditEvent);
  },
  transaction: (work) => store.transaction((tx) => work(tx.outbox)),
});
