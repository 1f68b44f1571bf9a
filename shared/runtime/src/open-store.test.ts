import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import { parseStorageUrl } from '@dmp/storage';
import { openAuditLog, openStore } from './open-store';

describe('opening the stores a storage URL names', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dmp-open-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('puts the SQLite audit log in its own file beside the service database', async () => {
    const location = parseStorageUrl(`sqlite:${path.join(dir, 'audit.sqlite')}`);

    const store = await openStore(location, SEARCH_PARAMETERS);
    const log = await openAuditLog(location, SEARCH_PARAMETERS);

    expect(existsSync(path.join(dir, 'audit.sqlite'))).toBe(true);
    expect(existsSync(path.join(dir, 'audit-log.sqlite'))).toBe(true);
    expect(existsSync(path.join(dir, 'blobs'))).toBe(true);
    await log.close();
    await store.close();
  });
});
