import type { Parameters } from 'fhir/r4';

export interface ChainStatus {
  ok: boolean;
  verified: number;
  total: number;
  headSeq?: number;
  headHash?: string;
  checkpoints: number;
  firstBrokenSeq?: number;
  reason?: string;
  badSignatures: number[];
}

export interface Checkpoint {
  seq: number;
  hash: string;
  time: string;
}

const REASONS: Record<string, string> = {
  gap: 'un événement manque (suppression)',
  order: 'l’ordre des événements est rompu',
  'previous-hash': 'un événement a été déplacé',
  hash: 'un événement a été modifié',
  checkpoint: 'la chaîne a été réécrite (le point de contrôle signé ne correspond plus)',
  truncated: 'des événements ont été retirés à la fin',
};

export const reasonText = (reason: string): string => REASONS[reason] ?? reason;

/** The `$verify` answer. */
export function chainStatusOf(parameters: Parameters): ChainStatus {
  const all = parameters.parameter ?? [];
  const get = (name: string) => all.find((p) => p.name === name);
  const headSeq = get('headSeq')?.valueInteger;
  const headHash = get('headHash')?.valueString;
  const firstBrokenSeq = get('firstBrokenSeq')?.valueInteger;
  const reason = get('reason')?.valueCode;
  return {
    ok: get('ok')?.valueBoolean === true,
    verified: get('verified')?.valueInteger ?? 0,
    total: get('total')?.valueInteger ?? 0,
    checkpoints: get('checkpoints')?.valueInteger ?? 0,
    badSignatures: all
      .filter((p) => p.name === 'badCheckpointSignature')
      .map((p) => p.valueInteger ?? 0),
    ...(headSeq !== undefined ? { headSeq } : {}),
    ...(headHash ? { headHash } : {}),
    ...(firstBrokenSeq !== undefined ? { firstBrokenSeq } : {}),
    ...(reason ? { reason } : {}),
  };
}

/** The signed checkpoints of `$checkpoints`, the last one first. */
export function checkpointsOf(parameters: Parameters): Checkpoint[] {
  return (parameters.parameter ?? [])
    .filter((p) => p.name === 'checkpoint')
    .map((p) => {
      const part = (name: string) => p.part?.find((x) => x.name === name);
      return {
        seq: part('seq')?.valueInteger ?? 0,
        hash: part('hash')?.valueString ?? '',
        time: part('time')?.valueInstant ?? '',
      };
    })
    .sort((a, b) => b.seq - a.seq);
}
