import { parseSearch } from '../parse-search';
import type { Bundle, SearchParameter } from 'fhir/r4';
import { readFixture } from '@dmp/test-fixtures';
import type { SearchParameterDefinition } from '../search-parameter';
import {
  R4_SEARCH_PARAMETER_BASE,
  SEARCH_PARAMETERS,
  findSearchParameter,
  searchParametersFor,
  whereReferenceIs,
} from './index';

function readJson<T>(relative: string): T {
  return readFixture<T>(...relative.split('/'));
}

const officialR4 = new Map<string, SearchParameter>();
for (const entry of readJson<Bundle>('r4/search-parameters.json').entry ?? []) {
  const resource = entry.resource as SearchParameter | undefined;
  if (resource?.url) officialR4.set(resource.url, resource);
}

const profiledFiles = [
  'mhd-4.2.3/SearchParameter-DocumentReference-Creation.json',
  'mhd-4.2.3/SearchParameter-List-DesignationType.json',
  'mhd-4.2.3/SearchParameter-List-SourceId.json',
  'pdsm-3.1.1/profiles/SearchParameter-PDSm-DocumentReference-period-end.json',
  'pdsm-3.1.1/profiles/SearchParameter-PDSm-DocumentReference-period-start.json',
  'pdsm-3.1.1/profiles/SearchParameter-PDSm-List-authorOrg.json',
  'pdsm-3.1.1/profiles/SearchParameter-PDSm-isArchived.json',
];
const officialProfiled = new Map<string, SearchParameter>(
  profiledFiles.map((file) => {
    const sp = readJson<SearchParameter>(file);
    return [sp.url, sp];
  }),
);

/**
 * The documented restriction of a multi-base official expression to one base: keep the parts on
 * that base, `Resource.x` becomes `<Type>.x`, and `where(resolve() is T)` is rewritten with
 * {@link whereReferenceIs} (fhirpath.js cannot resolve offline).
 */
function restrict(official: string, base: string): string {
  return official
    .split(' | ')
    .map((part) => part.replace(/^Resource\./, `${base}.`))
    .filter((part) => part.startsWith(`${base}.`) || part.startsWith(`(${base}.`))
    .map((part) => {
      const match = /^(.*)\.where\(resolve\(\) is (\w+)\)$/.exec(part);
      return match?.[1] && match[2] ? whereReferenceIs(match[1], match[2]) : part;
    })
    .join(' | ');
}

type Row = [string, string, SearchParameterDefinition];
const allRows: Row[] = Object.entries(SEARCH_PARAMETERS).flatMap(([type, defs]) =>
  defs.map((d): Row => [type, d.code, d]),
);
const allDefinitions = allRows.map(([type, , d]): [string, SearchParameterDefinition] => [type, d]);

describe('search parameter registry', () => {
  it.each(allRows.filter(([, , d]) => d.definition.startsWith(R4_SEARCH_PARAMETER_BASE)))(
    'takes %s %s from the official R4 bundle, restricted to its base',
    (type, _code, definition) => {
      // Arrange
      const official = officialR4.get(definition.definition);

      // Act
      const expected = official?.expression ? restrict(official.expression, type) : undefined;

      // Assert
      expect(official).toBeDefined();
      expect(official?.type).toBe(definition.type);
      expect(definition.expression).toBe(expected);
    },
  );

  it.each(allRows.filter(([, , d]) => officialProfiled.has(d.definition)))(
    'takes %s %s from the MHD/PDSm SearchParameter, prefixed with its base when bare',
    (type, _code, definition) => {
      const official = officialProfiled.get(definition.definition);

      const candidates = [official?.expression, `${type}.${official?.expression ?? ''}`];

      expect(official?.code).toBe(definition.code);
      expect(official?.type).toBe(definition.type);
      expect(official?.base).toContain(type);
      expect(candidates).toContain(definition.expression);
    },
  );

  it('knows where every non-R4 parameter comes from', () => {
    const unknown = allDefinitions
      .filter(([, d]) => !d.definition.startsWith(R4_SEARCH_PARAMETER_BASE))
      .filter(([, d]) => !officialProfiled.has(d.definition))
      .map(([type, d]) => `${type}.${d.code}`);

    // entity-id: BALP's ARR CapabilityStatement; purpose-of-use: our own (break-glass review);
    // dmp-*: internal keys of the documents service's enforcement point.
    expect(unknown).toEqual([
      'DocumentReference.dmp-patient',
      'DocumentReference.dmp-submitter',
      'List.dmp-patient',
      'AuditEvent.entity-id',
      'AuditEvent.purpose-of-use',
    ]);
  });

  it('offers no internal parameter to clients', () => {
    for (const [type, definitions] of Object.entries(SEARCH_PARAMETERS)) {
      const offered = searchParametersFor(type).map((d) => d.code);
      const internal = definitions.filter((d) => d.internal).map((d) => d.code);
      expect(offered.filter((code) => internal.includes(code))).toEqual([]);
      expect(offered.length + internal.length).toBe(definitions.length);
    }
    expect(() =>
      parseSearch('DocumentReference', new URLSearchParams({ 'dmp-patient': 'x' })),
    ).toThrow(/Unknown search parameter/);
  });

  it.each(Object.entries(SEARCH_PARAMETERS))(
    'gives %s unique codes and aliases, with _id and _lastUpdated',
    (_type, definitions) => {
      const names = definitions.flatMap((d) => [d.code, ...(d.aliases ?? [])]);

      expect(new Set(names).size).toBe(names.length);
      expect(names).toEqual(expect.arrayContaining(['_id', '_lastUpdated']));
    },
  );

  it('marks date and string parameters, _id and _lastUpdated sortable, and nothing else', () => {
    for (const [, d] of allDefinitions) {
      const expected =
        d.type === 'date' || d.type === 'string' || d.code === '_id' || d.code === '_lastUpdated';
      expect({ code: d.code, sortable: d.sortable === true }).toEqual({
        code: d.code,
        sortable: expected,
      });
    }
  });

  it('declares chains only on reference parameters, with targets among the declared ones', () => {
    for (const [, d] of allDefinitions.filter(([, x]) => x.chains)) {
      expect(d.type).toBe('reference');
      for (const target of Object.keys(d.chains ?? {})) expect(d.targets).toContain(target);
    }
  });

  it('accepts the PDSm spellings of the PDSm parameters', () => {
    const dr = searchParametersFor('DocumentReference');

    expect(findSearchParameter(dr, 'PDSm_isArchived')?.code).toBe('isArchived');
    expect(findSearchParameter(dr, 'PDSm_DocumentReference_period-start')?.code).toBe(
      'period-start',
    );
    expect(findSearchParameter(dr, 'PDSm_DocumentReference_period-end')?.code).toBe('period-end');
    expect(findSearchParameter(searchParametersFor('List'), 'PDSm_authorOrg')?.code).toBe(
      'authorOrg',
    );
  });

  it('uses the isArchived extension URL of the PDSm StructureDefinition', () => {
    const sd = readJson<{ url: string }>(
      'pdsm-3.1.1/profiles/StructureDefinition-pdsm-ext-is-archived.json',
    );

    const isArchived = findSearchParameter(searchParametersFor('List'), 'isArchived');

    expect(isArchived?.expression).toContain(`'${sd.url}'`);
  });

  it('throws for a resource type it does not serve', () => {
    expect(() => searchParametersFor('Observation')).toThrow(TypeError);
    expect(() => searchParametersFor('toString')).toThrow(TypeError);
  });

  it('lists no parameter of its own for Binary', () => {
    expect(searchParametersFor('Binary').map((d) => d.code)).toEqual(['_id', '_lastUpdated']);
  });
});
