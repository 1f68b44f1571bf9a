import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import type { AuditLog } from '@dmp/storage';
import { buildAuditEvent, query } from '@dmp/storage-contract';
import { AUDIT_LOG, type AuditDoc } from './audit-docs';
import { openMongoAuditLog } from './open-mongo-audit-log';

/** The Mongo audit log against a live replica set (`MONGODB_URI`); an explicit skip otherwise. */
const uri = process.env.MONGODB_URI;

if (uri === undefined || uri === '') {
  describe.skip('mongo audit log (skipped: MONGODB_URI not set; no MongoDB server on this machine)', () => {
    it('needs a MongoDB replica set at MONGODB_URI', () => undefined);
  });
} else {
  describe('mongo audit log', () => {
    let admin: MongoClient;
    let log: AuditLog;
    let dbName: string;
    beforeEach(async () => {
      admin = await new MongoClient(uri).connect();
      dbName = `dmp_audit_${randomUUID().slice(0, 8)}`;
      log = await openMongoAuditLog({ url: uri, dbName, searchParameters: SEARCH_PARAMETERS });
    });
    afterEach(async () => {
      await log.close();
      await admin.db(dbName).dropDatabase();
      await admin.close();
    });

    it('appends with a gapless sequence, acknowledges replays, groups concurrent calls', async () => {
      const first = await log.append([buildAuditEvent('urn:p'), buildAuditEvent('urn:p')]);
      expect(first.map((o) => o.seq)).toEqual([1, 2]);
      const replay = await log.append([first[0]?.event ?? buildAuditEvent('urn:x')]);
      expect(replay[0]).toMatchObject({ created: false, seq: 1 });
      const together = await Promise.all(
        [1, 2, 3].map(() => log.append([buildAuditEvent('urn:q')])),
      );
      expect(
        together
          .flat()
          .map((o) => o.seq)
          .sort(),
      ).toEqual([3, 4, 5]);
      expect(await log.head()).toMatchObject({ seq: 5 });
      expect((await log.verify()).ok).toBe(true);
      expect((await log.search(query('AuditEvent', []))).total).toBe(5);
    });

    it('the database refuses a duplicate sequence or event id', async () => {
      const [outcome] = await log.append([buildAuditEvent('urn:p')]);
      const records = admin.db(dbName).collection<AuditDoc>(AUDIT_LOG);
      const stored = await records.findOne({ _id: 1 });
      if (!stored) throw new Error('record 1 missing');
      await expect(records.insertOne({ ...stored, id: 'other' })).rejects.toMatchObject({
        code: 11000,
      });
      const sameId = { ...stored, _id: 2, sk: '2', id: outcome?.event.id ?? '' };
      await expect(records.insertOne(sameId)).rejects.toMatchObject({ code: 11000 });
    });

    it('verification detects an edited record; retention keeps a verifiable suffix', async () => {
      await log.append([
        buildAuditEvent('urn:a'),
        buildAuditEvent('urn:b'),
        buildAuditEvent('urn:c'),
      ]);
      await log.addCheckpoint({
        seq: 3,
        hash: (await log.head()).hash,
        time: new Date().toISOString(),
        jws: 'x.y.z',
      });
      expect(await log.checkpoints()).toHaveLength(1);
      expect(await log.purgeBefore('9999-01-01T00:00:00.000Z')).toBe(3);
      expect((await log.anchor()).seq).toBe(3);
      await log.append([buildAuditEvent('urn:d')]);
      expect((await log.verify()).ok).toBe(true);
      await admin
        .db(dbName)
        .collection<AuditDoc>(AUDIT_LOG)
        .updateOne({ _id: 4 }, { $set: { json: '{}' } });
      expect((await log.verify()).firstBroken).toMatchObject({ seq: 4, reason: 'hash' });
    });
  });
}
