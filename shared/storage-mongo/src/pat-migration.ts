import type { AnyBulkWriteOperation, Db } from 'mongodb';
import { META } from './collections';
import type { ResourceDoc } from './documents';
import { isDuplicateKey } from './driver-errors';
import { patientKeyOf } from './patient-key';

/** Version of the `pat` derivation (`patient-key.ts`); 2 = the INS first. */
export const PAT_RULE_VERSION = 2;
const MARKER = 'pat-rule';

/**
 * Recomputes `pat` on the stored current resources once per derivation version (a `meta`
 * marker), so single-patient searches, which filter on `pat`, never miss a resource written under
 * an older rule. Each changed document is updated with its old `pat` in the filter (the full shard
 * key), which MongoDB accepts as a shard key change. Idempotent: two instances may both run it.
 */
export async function ensurePatientKeys(db: Db, resourceTypes: readonly string[]): Promise<void> {
  const meta = db.collection<{ _id: string; version: number }>(META);
  const marker = await meta.findOne({ _id: MARKER });
  if ((marker?.version ?? 0) >= PAT_RULE_VERSION) return;
  for (const type of resourceTypes) {
    const collection = db.collection<ResourceDoc>(type);
    let batch: AnyBulkWriteOperation<ResourceDoc>[] = [];
    const flush = async () => {
      if (batch.length > 0) await collection.bulkWrite(batch, { ordered: false });
      batch = [];
    };
    const cursor = collection.find({ del: false }, { projection: { _id: 1, pat: 1, idx: 1 } });
    for await (const doc of cursor) {
      const pat = patientKeyOf(type, doc._id, doc.idx ?? []);
      if (pat === doc.pat) continue;
      batch.push({
        updateOne: { filter: { _id: doc._id, pat: doc.pat }, update: { $set: { pat } } },
      });
      if (batch.length >= 500) await flush();
    }
    await flush();
  }
  await meta
    .updateOne({ _id: MARKER }, { $set: { version: PAT_RULE_VERSION } }, { upsert: true })
    .catch((error: unknown) => {
      if (!isDuplicateKey(error)) throw error;
    });
}
