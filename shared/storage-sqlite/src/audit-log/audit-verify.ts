import type { Checkpoint, ChainPosition, VerificationReport } from '@dmp/storage';
import { ChainVerifier } from '@dmp/storage';
import type { Connection } from '../connection';

const PAGE = 5000;

interface Row {
  seq: number;
  prev_hash: string;
  hash: string;
  json: string;
}

/**
 * Recomputes the chain from the anchor in pages (yielding to the event loop between pages, so a
 * server keeps answering), then checks every checkpoint against the record at its sequence.
 */
export async function verifyAuditLog(
  conn: Connection,
  anchor: ChainPosition,
  checkpoints: readonly Checkpoint[],
  onProgress?: (verified: number, total: number) => void,
): Promise<VerificationReport> {
  const total = (conn.statement('SELECT COUNT(*) AS n FROM audit_events').get() as { n: number }).n;
  const verifier = new ChainVerifier(anchor);
  const page = conn.statement(
    'SELECT seq, prev_hash, hash, json FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?',
  );
  let after = anchor.seq;
  for (;;) {
    const rows = page.all(after, PAGE) as Row[];
    for (const row of rows) {
      const broken = verifier.next({
        seq: row.seq,
        prevHash: row.prev_hash,
        hash: row.hash,
        json: row.json,
      });
      if (broken)
        return {
          ok: false,
          verified: verifier.verified,
          total,
          firstBroken: broken,
          head: verifier.head,
        };
    }
    const last = rows[rows.length - 1];
    onProgress?.(verifier.verified, total);
    if (!last || rows.length < PAGE) break;
    after = last.seq;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const head = verifier.head;
  const hashAt = conn.statement('SELECT hash FROM audit_events WHERE seq = ?');
  for (const checkpoint of checkpoints) {
    if (checkpoint.seq <= anchor.seq) continue;
    if (checkpoint.seq > head.seq) {
      return {
        ok: false,
        verified: verifier.verified,
        total,
        firstBroken: { seq: head.seq + 1, reason: 'truncated' },
        head,
      };
    }
    const row = hashAt.get(checkpoint.seq) as { hash: string } | undefined;
    if (row?.hash !== checkpoint.hash) {
      return {
        ok: false,
        verified: verifier.verified,
        total,
        firstBroken: { seq: checkpoint.seq, reason: 'checkpoint' },
        head,
      };
    }
  }
  return { ok: true, verified: verifier.verified, total, head };
}
