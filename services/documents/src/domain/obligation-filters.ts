import type { AccessObligations, CodeListValue } from '@dmp/consent-client';
import type { SearchFilter, SimpleFilter } from '@dmp/fhir';
import type { ActorKind } from '@dmp/auth';
import { submitterSource } from './submitter';

/** The label that hides a document from its patient for one month after deposit (C3.4). */
const INVISIBLE_PATIENT = 'INVISIBLE_PATIENT';

function notLabelled(labels: readonly string[]): SimpleFilter {
  return {
    kind: 'token',
    param: 'security-label',
    negate: true,
    anyOf: labels.map((code) => ({ code })),
  };
}

function codes(param: string, list: CodeListValue | undefined): SimpleFilter[] | '*' {
  if (list === undefined || list === '*') return '*';
  if (list.length === 0) return [];
  return [{ kind: 'token', param, negate: false, anyOf: list.map((code) => ({ code })) }];
}

/**
 * The consent service's obligations as predicates of the search itself (so that paging and
 * totals count only what the caller may see):
 * - `exclude_labels` → `security-label:not`; for `INVISIBLE_PATIENT` with a cut-off, "not
 *   labelled, or deposited (`date`) before the cut-off";
 * - `allowed_classes` / `allowed_types` → "class (`category`) listed OR type listed";
 * - `submitted_by` → only the documents that caller submitted (`meta.source`);
 * - `author_exception` is NOT turned into a predicate (the author of a document is not indexed):
 *   a masked document stays out of the author's searches too (stricter, never leaks), while a
 *   read of it by id is decided on the document itself, author included.
 */
export function obligationFilters(obligations: AccessObligations | undefined): SearchFilter[] {
  if (!obligations) return [];
  const filters: SearchFilter[] = [];
  const cutoff = obligations.invisible_patient_cutoff;
  const plain = obligations.exclude_labels.filter(
    (label) => !(label === INVISIBLE_PATIENT && cutoff !== undefined),
  );
  if (plain.length > 0) filters.push(notLabelled(plain));
  if (cutoff !== undefined && obligations.exclude_labels.includes(INVISIBLE_PATIENT)) {
    filters.push({
      kind: 'any',
      anyOf: [
        notLabelled([INVISIBLE_PATIENT]),
        { kind: 'date', param: 'date', anyOf: [{ prefix: 'lt', low: cutoff, high: cutoff }] },
      ],
    });
  }
  if (obligations.submitted_by !== undefined) {
    const [kind, ...id] = obligations.submitted_by.split(':');
    filters.push({
      kind: 'uri',
      param: 'dmp-submitter',
      match: 'exact',
      anyOf: [submitterSource({ kind: (kind ?? '') as ActorKind, id: id.join(':') })],
    });
  }
  const classes = codes('category', obligations.allowed_classes);
  const types = codes('type', obligations.allowed_types);
  if (classes !== '*' && types !== '*')
    filters.push({ kind: 'any', anyOf: [...classes, ...types] });
  return filters;
}
