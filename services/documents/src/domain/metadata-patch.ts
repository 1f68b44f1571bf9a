import type { DocumentReference, Parameters } from 'fhir/r4';
import type { Fault } from '@dmp/errors';
import { IS_ARCHIVED_URL } from './constants';
import { applyFhirPathPatch, PatchNotAllowed } from './fhirpath-patch';
import { applyJsonPatch, PatchError } from './json-patch';
import {
  confidentialityCount,
  MAX_SECURITY_LABELS,
  normalizeSecurityLabels,
} from './security-labels';

const PATCHABLE = new Set(['status', 'securityLabel', 'extension']);
const STATUSES = new Set(['current', 'superseded', 'entered-in-error']);

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/** The document without what a PDSm update may change (status, labels, isArchived, meta). */
function frozenPart(document: DocumentReference): string {
  const { status: _s, securityLabel: _l, meta: _m, extension, ...rest } = document;
  const others = (extension ?? []).filter((e) => e.url !== IS_ARCHIVED_URL);
  return canonical({ ...rest, ...(others.length > 0 ? { extension: others } : {}) });
}

export type MetadataPatchResult = { document: DocumentReference } | { fault: Fault };

/**
 * Applies a PDSm metadata update (JSON Patch array, or FHIRPath Patch `Parameters`) to a stored
 * DocumentReference. Touching anything but status, securityLabel and isArchived → 405; a
 * malformed patch or a result that breaks the label rules → 422.
 */
export function applyMetadataPatch(
  original: DocumentReference,
  body: unknown,
): MetadataPatchResult {
  let patched: DocumentReference;
  try {
    if (Array.isArray(body)) {
      const outside = body.findIndex((operation: unknown) => {
        const path = (operation as { path?: unknown } | null)?.path;
        const first = typeof path === 'string' ? path.split('/')[1] : undefined;
        return first !== undefined && !PATCHABLE.has(first);
      });
      if (outside >= 0) {
        return {
          fault: {
            code: 'DMP-PDSM-PATCH-NOT-ALLOWED',
            message: 'Only status, securityLabel and the isArchived extension may change',
            expression: `[${String(outside)}].path`,
          },
        };
      }
      patched = applyJsonPatch(original, body);
    } else if ((body as { resourceType?: unknown } | null)?.resourceType === 'Parameters') {
      patched = applyFhirPathPatch(original, body as Parameters);
    } else {
      return {
        fault: {
          code: 'DMP-PDSM-PATCH-INVALID',
          message: 'Send a JSON Patch array or a FHIRPath Patch Parameters',
        },
      };
    }
  } catch (error) {
    if (error instanceof PatchNotAllowed)
      return {
        fault: {
          code: 'DMP-PDSM-PATCH-NOT-ALLOWED',
          message: error.message,
          expression: error.expression,
        },
      };
    if (error instanceof PatchError)
      return {
        fault: {
          code: 'DMP-PDSM-PATCH-INVALID',
          message: error.message,
          expression: error.expression,
        },
      };
    throw error;
  }
  if (frozenPart(patched) !== frozenPart(original)) {
    return {
      fault: {
        code: 'DMP-PDSM-PATCH-NOT-ALLOWED',
        message: 'Only status, securityLabel and the isArchived extension may change',
        expression: 'DocumentReference',
      },
    };
  }
  if (!STATUSES.has(String(patched.status))) {
    return {
      fault: {
        code: 'DMP-PDSM-PATCH-INVALID',
        message: 'status is current, superseded or entered-in-error',
        expression: 'DocumentReference.status',
      },
    };
  }
  const labels = normalizeSecurityLabels(patched.securityLabel ?? []);
  if (labels.length > MAX_SECURITY_LABELS || confidentialityCount(labels) > 1) {
    return {
      fault: {
        code: 'DMP-PDSM-PATCH-INVALID',
        message: 'At most one N/R/V code and four labels in all',
        expression: 'DocumentReference.securityLabel',
      },
    };
  }
  const archived = (patched.extension ?? []).filter((e) => e.url === IS_ARCHIVED_URL);
  if (archived.length > 1 || archived.some((e) => typeof e.valueBoolean !== 'boolean')) {
    return {
      fault: {
        code: 'DMP-PDSM-PATCH-INVALID',
        message: 'isArchived is one boolean extension',
        expression: 'DocumentReference.extension',
      },
    };
  }
  return {
    document: {
      ...patched,
      ...(labels.length > 0 ? { securityLabel: labels } : { securityLabel: undefined }),
    },
  };
}
