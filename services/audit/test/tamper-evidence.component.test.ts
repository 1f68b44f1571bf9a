import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import type { AuditEvent } from 'fhir/r4';
import { hashChained } from '@dmp/storage';
import { runAuditVerify } from '../bin/audit-verify';
import { auditorToken, dmpEvent, feederToken, openHarness, type Harness } from './harness';

const EVENTS = 20;

/** A fresh log of 20 events, checkpoints every 5 (seq 5, 10, 15, 20). */
async function filledHarness(name: string): Promise<Harness> {
  const h = await openHarness(name, 5);
  const feeder = await feederToken(h.issuer);
  for (let i = 0; i < EVENTS; i += 1) {
    await request(h.app)
      .post('/fhir/AuditEvent')
      .set('Authorization', `Bearer ${feeder}`)
      .send(dmpEvent({ ins: '185057800608436', idNat: '810000000042', id: `ev-${i + 1}` }))
      .expect(201);
  }
  return h;
}

/** Tampers with the file directly, as someone holding it would (triggers dropped first). */
function tamper(h: Harness, sql: string, ...params: unknown[]): void {
  const db = new Database(h.file);
  try {
    db.exec(
      'DROP TRIGGER IF EXISTS audit_events_no_update; DROP TRIGGER IF EXISTS audit_events_no_delete; DROP TRIGGER IF EXISTS audit_checkpoints_no_update;',
    );
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

async function verifyOverHttp(h: Harness): Promise<Record<string, unknown>> {
  const token = await auditorToken(h.issuer);
  const res = await request(h.app)
    .get('/fhir/AuditEvent/$verify')
    .set('Authorization', `Bearer ${token}`)
    .expect(200);
  return Object.fromEntries(
    (res.body.parameter as { name: string; [k: string]: unknown }[]).map((p) => [
      p.name,
      p.valueBoolean ?? p.valueInteger ?? p.valueCode ?? p.valueString,
    ]),
  );
}

async function verifyWithCommand(h: Harness): Promise<{ code: number; out: string }> {
  const jwk = path.join(h.dir, 'checkpoint-public.jwk.json');
  writeFileSync(jwk, JSON.stringify(h.key.publicJwk));
  let out = '';
  const code = await runAuditVerify(['--file', h.file, '--public-jwk', jwk, '--progress'], {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: () => true },
    env: { DATA_DIR: h.dir },
  });
  return { code, out };
}

function rowJson(h: Harness, seq: number): AuditEvent {
  const db = new Database(h.file, { readonly: true });
  try {
    const row = db.prepare('SELECT json FROM audit_events WHERE seq = ?').get(seq) as {
      json: string;
    };
    return JSON.parse(row.json) as AuditEvent;
  } finally {
    db.close();
  }
}

describe('tamper evidence', () => {
  it('reports an untouched log as intact, over HTTP and from the command', async () => {
    const h = await filledHarness('intact');
    try {
      const { code, out } = await verifyWithCommand(h);
      expect(code).toBe(0);
      expect(out).toMatch(/^OK: chain intact up to seq 20 /);
      expect(await verifyOverHttp(h)).toMatchObject({ ok: true, verified: EVENTS, checkpoints: 4 });
    } finally {
      await h.close();
    }
  });

  it.each<[string, (h: Harness) => void, number, string]>([
    [
      'an edited event',
      (h) =>
        tamper(
          h,
          "UPDATE audit_events SET json = replace(json, 'Dr Martin', 'Dr Nobody') WHERE seq = 7",
        ),
      7,
      'hash',
    ],
    ['a deleted event', (h) => tamper(h, 'DELETE FROM audit_events WHERE seq = 7'), 7, 'gap'],
    [
      'two events swapped (reordered)',
      (h) =>
        tamper(
          h,
          'UPDATE audit_events SET seq = CASE seq WHEN 7 THEN -8 ELSE -7 END WHERE seq IN (7, 8)',
        ),
      7,
      'previous-hash',
    ],
    [
      'an event rewritten with its hash recomputed (and every later one)',
      (h) => {
        const db = new Database(h.file);
        db.exec('DROP TRIGGER audit_events_no_update;');
        let prev = (
          db.prepare('SELECT hash FROM audit_events WHERE seq = 6').get() as { hash: string }
        ).hash;
        for (let seq = 7; seq <= EVENTS; seq += 1) {
          const event = rowJson(h, seq);
          if (seq === 7) event.outcome = '4';
          const hash = hashChained(event, seq, prev);
          db.prepare('UPDATE audit_events SET json = ?, prev_hash = ?, hash = ? WHERE seq = ?').run(
            JSON.stringify(event),
            prev,
            hash,
            seq,
          );
          prev = hash;
        }
        db.close();
      },
      10,
      'checkpoint',
    ],
    [
      'the last events removed',
      (h) => tamper(h, 'DELETE FROM audit_events WHERE seq > 17'),
      18,
      'truncated',
    ],
  ])(
    'detects %s and names the first broken sequence number',
    async (_name, change, seq, reason) => {
      const h = await filledHarness(reason);
      try {
        change(h);
        // The swap case parks rows at negative numbers; move them to their swapped places.
        if (reason === 'previous-hash')
          tamper(h, 'UPDATE audit_events SET seq = -seq WHERE seq < 0');
        // The command first: the $verify operation appends its own audit-read event afterwards.
        const { code, out } = await verifyWithCommand(h);
        expect(code).toBe(1);
        expect(out).toMatch(new RegExp(`^BROKEN at seq ${seq}: ${reason}`));
        expect(await verifyOverHttp(h)).toMatchObject({ ok: false, firstBrokenSeq: seq, reason });
      } finally {
        await h.close();
      }
    },
  );

  it('detects a forged checkpoint (its signature no longer verifies)', async () => {
    const h = await filledHarness('forged');
    try {
      tamper(h, "UPDATE audit_checkpoints SET time = '2000-01-01T00:00:00.000Z' WHERE seq = 10");
      expect((await verifyWithCommand(h)).code).toBe(1);
      expect(await verifyOverHttp(h)).toMatchObject({ ok: false, badCheckpointSignature: 10 });
    } finally {
      await h.close();
    }
  });
});
