import type { Parameters } from 'fhir/r4';

/** One line of the patient's access history (`$patient-history`). */
export interface HistoryLine {
  when: string;
  who?: string;
  profession?: string;
  organization?: string;
  what: string;
  document?: string;
  how: string;
  highlighted: boolean;
}

const WHAT: Record<string, string> = {
  consulted: 'a consulté',
  searched: 'a recherché vos documents',
  added: 'a ajouté',
  replaced: 'a remplacé',
  masked: 'a masqué',
  unmasked: 'a démasqué',
  archived: 'a archivé',
  deleted: 'a supprimé',
  other: 'a agi sur votre DMP',
};

const HOW: Record<string, string> = {
  normal: 'Accès normal',
  bris_de_glace: 'Accès en urgence (bris de glace)',
  centre_15: 'Accès par le centre 15 (SAMU)',
};

export const whatText = (what: string): string => WHAT[what] ?? what;
export const howText = (how: string): string => HOW[how] ?? how;

/** The lines and the `next` link of a `$patient-history` answer. */
export function historyOf(parameters: Parameters): { lines: HistoryLine[]; next?: string } {
  const lines: HistoryLine[] = [];
  let next: string | undefined;
  for (const parameter of parameters.parameter ?? []) {
    if (parameter.name === 'next' && parameter.valueUri) next = parameter.valueUri;
    if (parameter.name !== 'line') continue;
    const part = (name: string) => parameter.part?.find((p) => p.name === name);
    const text = (name: string) => part(name)?.valueString ?? part(name)?.valueCode;
    const line: HistoryLine = {
      when: part('when')?.valueDateTime ?? '',
      what: text('what') ?? 'other',
      how: text('how') ?? 'normal',
      highlighted: part('highlighted')?.valueBoolean ?? false,
    };
    const who = text('who');
    if (who) line.who = who;
    const profession = text('profession');
    if (profession) line.profession = profession;
    const organization = text('organization');
    if (organization) line.organization = organization;
    const document = text('document');
    if (document) line.document = document;
    lines.push(line);
  }
  return next ? { lines, next } : { lines };
}
