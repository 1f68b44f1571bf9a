import type { KeyObject } from 'node:crypto';
import type { Parameters, ParametersParameter } from 'fhir/r4';
import { fhirError } from '@dmp/errors';
import type { AuditLog, Checkpoint, VerificationReport } from '@dmp/storage';
import { verifyCheckpoint } from '../checkpoint/checkpoint-jws';
import { recordAuditRead, type AuditContext, type CallContext } from './context';

export interface FullVerification extends VerificationReport {
  checkpoints: number;
  /** Checkpoints whose signature does not verify with the key, or whose claim differs. */
  badSignatures: number[];
}

/**
 * Verifies the chain (gapless sequence, previous hashes, hashes), the stored checkpoints against
 * the records, and each checkpoint's signature against `publicKey`. Used by the `$verify`
 * operation and by `npm run audit:verify`.
 */
export async function verifyLog(
  log: AuditLog,
  publicKey: KeyObject,
  onProgress?: (verified: number, total: number) => void,
): Promise<FullVerification> {
  const report = await log.verify(onProgress);
  const checkpoints = await log.checkpoints();
  const badSignatures = checkpoints.filter((c) => !signatureHolds(publicKey, c)).map((c) => c.seq);
  return {
    ...report,
    ok: report.ok && badSignatures.length === 0,
    checkpoints: checkpoints.length,
    badSignatures,
  };
}

function signatureHolds(publicKey: KeyObject, checkpoint: Checkpoint): boolean {
  const claim = verifyCheckpoint(publicKey, checkpoint.jws);
  return (
    claim?.seq === checkpoint.seq &&
    claim.hash === checkpoint.hash &&
    claim.time === checkpoint.time
  );
}

/** `$verify` for auditors: the report as Parameters (the read is recorded after the check). */
export async function verifyOperation(ctx: AuditContext, call: CallContext): Promise<Parameters> {
  if (call.actor.kind !== 'auditor')
    throw fhirError('DMP-AUDIT-ACCESS-DENIED', 'Verification is for auditors');
  const report = await verifyLog(ctx.log, ctx.checkpointer.key.publicKey);
  await recordAuditRead(ctx, call, '$verify', '');
  const parameter: ParametersParameter[] = [
    { name: 'ok', valueBoolean: report.ok },
    { name: 'verified', valueInteger: report.verified },
    { name: 'total', valueInteger: report.total },
    { name: 'headSeq', valueInteger: report.head.seq },
    { name: 'headHash', valueString: report.head.hash },
    { name: 'checkpoints', valueInteger: report.checkpoints },
  ];
  if (report.firstBroken) {
    parameter.push({ name: 'firstBrokenSeq', valueInteger: report.firstBroken.seq });
    parameter.push({ name: 'reason', valueCode: report.firstBroken.reason });
  }
  for (const seq of report.badSignatures)
    parameter.push({ name: 'badCheckpointSignature', valueInteger: seq });
  return { resourceType: 'Parameters', parameter };
}

/** `$checkpoints` for auditors: the signing key (public JWK) and every signed checkpoint. */
export async function listCheckpoints(ctx: AuditContext, call: CallContext): Promise<Parameters> {
  if (call.actor.kind !== 'auditor')
    throw fhirError('DMP-AUDIT-ACCESS-DENIED', 'Checkpoints are for auditors');
  const checkpoints = await ctx.log.checkpoints();
  await recordAuditRead(ctx, call, '$checkpoints', '');
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'publicKey', valueString: JSON.stringify(ctx.checkpointer.key.publicJwk) },
      ...checkpoints.map((c): ParametersParameter => ({
        name: 'checkpoint',
        part: [
          { name: 'seq', valueInteger: c.seq },
          { name: 'hash', valueString: c.hash },
          { name: 'time', valueInstant: c.time },
          { name: 'jws', valueString: c.jws },
        ],
      })),
    ],
  };
}
