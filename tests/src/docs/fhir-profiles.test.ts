import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Actor } from '@dmp/auth';
import { changeAuditEvent } from '@dmp/consent-service/dist/src/audit/audit-events';
import { buildDmpConsent } from '@dmp/consent-service/dist/src/domain/consent-codec';
import { buildAuditEvent } from '@dmp/documents-service/dist/src/domain/audit-event';
import { R4_SEARCH_PARAMETER_BASE, SEARCH_PARAMETERS, createResourceValidator } from '@dmp/fhir';

/**
 * fhir-profiles/: the SearchParameters we publish are generated from the registry (after a
 * deliberate change: UPDATE_FHIR_PROFILES=1 npx jest tests/src/docs, then review the diff); the
 * StructureDefinitions are hand-written and checked against resources the real code builds.
 */
const profilesDir = path.resolve(__dirname, '..', '..', '..', 'fhir-profiles');
const searchParameterDir = path.join(profilesDir, 'search-parameters');
const structureDir = path.join(profilesDir, 'structure-definitions');
const validator = createResourceValidator();

type Json = Record<string, unknown>;

/** One SearchParameter per non-R4-core definition URL, its bases the types that support it. */
function searchParameterResources(): Map<string, Json> {
  const byDefinition = new Map<string, { types: string[]; expressions: string[] }>();
  const first = new Map<string, (typeof SEARCH_PARAMETERS)[string][number]>();
  for (const [type, parameters] of Object.entries(SEARCH_PARAMETERS)) {
    for (const p of parameters) {
      if (p.definition.startsWith(R4_SEARCH_PARAMETER_BASE) || p.internal) continue;
      const entry = byDefinition.get(p.definition) ?? { types: [], expressions: [] };
      entry.types.push(type);
      entry.expressions.push(p.expression);
      byDefinition.set(p.definition, entry);
      if (!first.has(p.definition)) first.set(p.definition, p);
    }
  }
  const resources = new Map<string, Json>();
  for (const [definition, { types, expressions }] of byDefinition) {
    const p = first.get(definition);
    if (!p) continue;
    const id = `${types.join('-')}-${p.code}`;
    const aliases = p.aliases?.length ? ` Also accepted as: ${p.aliases.join(', ')}.` : '';
    resources.set(id, {
      resourceType: 'SearchParameter',
      id,
      url: definition,
      name: p.code,
      status: 'active',
      description:
        `The \`${p.code}\` parameter as the DMP services implement it (generated from the ` +
        `@dmp/fhir search parameter registry).${aliases}`,
      code: p.code,
      base: types,
      type: p.type,
      expression: expressions.join(' | '),
      ...(p.targets ? { target: p.targets } : {}),
    });
  }
  return resources;
}

describe('fhir-profiles/search-parameters', () => {
  const expected = searchParameterResources();

  if (process.env.UPDATE_FHIR_PROFILES === '1') {
    mkdirSync(searchParameterDir, { recursive: true });
    for (const file of readdirSync(searchParameterDir)) {
      if (!expected.has(file.replace(/\.json$/, ''))) throw new Error(`stale file ${file}`);
    }
    for (const [id, resource] of expected) {
      writeFileSync(
        path.join(searchParameterDir, `${id}.json`),
        `${JSON.stringify(resource, null, 2)}\n`,
      );
    }
  }

  it('holds exactly one file per non-R4-core parameter of the registry', () => {
    const files = readdirSync(searchParameterDir).sort();
    expect(files).toEqual([...expected.keys()].map((id) => `${id}.json`).sort());
  });

  it.each([...expected.keys()])('%s.json equals what the registry gives', (id) => {
    const published = JSON.parse(
      readFileSync(path.join(searchParameterDir, `${id}.json`), 'utf8'),
    ) as unknown;
    expect(published).toEqual(expected.get(id));
  });

  it.each([...expected.keys()])('%s.json is a valid R4 SearchParameter', (id) => {
    const published = JSON.parse(
      readFileSync(path.join(searchParameterDir, `${id}.json`), 'utf8'),
    ) as unknown;
    expect(validator.validate(published)).toEqual([]);
  });
});

interface ElementDefinition extends Json {
  path: string;
  min?: number;
}

/**
 * A deliberately small checker of a StructureDefinition differential against an instance.
 * Limits: simple dotted paths only (no slices `:`, no choice types `[x]`, no extensions by URL);
 * only `min` and `fixed*` / `pattern*` values are checked (not max, bindings, invariants, types);
 * `min` is checked on every parent instance that exists (a `min` under an absent optional parent
 * is not enforced); a pattern matches when every property of the pattern is in the value
 * (recursively; each pattern array item must match some value array item).
 */
function childrenOf(nodes: unknown[], key: string): unknown[] {
  return nodes.flatMap((node) => {
    if (typeof node !== 'object' || node === null) return [];
    const value = (node as Json)[key];
    if (value === undefined) return [];
    return Array.isArray(value) ? (value as unknown[]) : [value];
  });
}

function matchesPattern(value: unknown, pattern: unknown): boolean {
  if (Array.isArray(pattern)) {
    return Array.isArray(value) && pattern.every((p) => value.some((v) => matchesPattern(v, p)));
  }
  if (typeof pattern === 'object' && pattern !== null) {
    if (typeof value !== 'object' || value === null) return false;
    return Object.entries(pattern).every(([k, p]) => matchesPattern((value as Json)[k], p));
  }
  return value === pattern;
}

function profileViolations(sd: Json, resource: Json): string[] {
  const violations: string[] = [];
  const elements = (sd.differential as { element: ElementDefinition[] }).element;
  for (const element of elements) {
    const [, ...segments] = element.path.split('.');
    if (segments.length === 0) continue;
    if (element.path.includes(':') || element.path.includes('[x]')) {
      throw new Error(`checker does not handle ${element.path}`);
    }
    let parents: unknown[] = [resource];
    for (const segment of segments.slice(0, -1)) parents = childrenOf(parents, segment);
    const last = segments[segments.length - 1] ?? '';
    if (element.min !== undefined && element.min > 0) {
      for (const parent of parents) {
        const count = childrenOf([parent], last).length;
        if (count < element.min) violations.push(`${element.path}: ${count} < min ${element.min}`);
      }
    }
    const values = childrenOf(parents, last);
    for (const [key, expected] of Object.entries(element)) {
      const fixed = key.startsWith('fixed');
      if (!fixed && !key.startsWith('pattern')) continue;
      for (const value of values) {
        const ok = fixed ? isDeepStrictEqual(value, expected) : matchesPattern(value, expected);
        if (!ok) violations.push(`${element.path}: ${JSON.stringify(value)} fails ${key}`);
      }
    }
  }
  return violations;
}

function readStructure(name: string): Json {
  return JSON.parse(readFileSync(path.join(structureDir, `${name}.json`), 'utf8')) as Json;
}

const actor = (accessMode: Actor['accessMode']): Actor => ({
  kind: 'practitioner',
  id: '810000000001',
  name: 'Dr Test',
  clientId: 'lps-test',
  roles: [{ system: 'urn:oid:1.2.250.1.213.1.1.4.5', code: '10' }],
  profession: '10',
  purposeOfUse: [],
  accessMode,
  ...(accessMode === 'bris_de_glace' ? { accessReason: 'unconscious patient' } : {}),
  scopes: [],
  tokenId: 'jti-1',
  issuer: 'https://auth.test.dmp.example',
});

const consents: [string, Json][] = [
  [
    'no choices',
    buildDmpConsent(
      {
        authorized: [],
        blocked: [],
        emergencyOpposition: false,
        delegates: [],
        hideEverything: false,
      },
      {
        ins: '1800199999999',
        insSystem: 'urn:oid:1.2.250.1.213.1.4.8',
        patientId: 'p1',
        dateTime: '2025-01-01T00:00:00Z',
        performer: { reference: 'Patient/p1' },
      },
    ) as unknown as Json,
  ],
  [
    'every kind of choice',
    buildDmpConsent(
      {
        authorized: [
          { professional: '810000000002', period: { start: '2025-01-01', end: '2025-12-31' } },
          { professional: '810000000003' },
        ],
        blocked: ['810000000004'],
        emergencyOpposition: true,
        attendingPhysician: '810000000005',
        delegates: ['810000000006'],
        hideEverything: true,
      },
      {
        ins: '1800199999999',
        insSystem: 'urn:oid:1.2.250.1.213.1.4.8',
        patientId: 'p1',
        dateTime: '2025-01-01T00:00:00Z',
        performer: { reference: 'Practitioner/810000000005' },
      },
    ) as unknown as Json,
  ],
];

const base = {
  requestId: 'req-1',
  serverUrl: 'https://dmp.test/fhir',
  patient: { reference: 'Patient/p1' },
};
const auditEvents: [string, Json][] = [
  ...(['normal', 'bris_de_glace', 'centre_15'] as const).map((mode): [string, Json] => [
    `documents ITI-67 (${mode})`,
    buildAuditEvent({
      ...base,
      interaction: 'ITI-67',
      outcome: '0',
      actor: actor(mode),
      query: 'patient=Patient/p1',
      ...(mode === 'normal' ? {} : { grant: 'Consent/g1' }),
    }) as unknown as Json,
  ]),
  [
    'documents ITI-65 refused',
    buildAuditEvent({
      ...base,
      interaction: 'ITI-65',
      outcome: '4',
      outcomeDesc: 'refused',
      actor: actor('normal'),
      entities: [{ what: { reference: 'DocumentReference/d1' }, role: '3' }],
    }) as unknown as Json,
  ],
  [
    'consent change',
    changeAuditEvent({
      actor: actor('normal'),
      action: 'U',
      what: 'Consent/c1/_history/2',
      description: 'consent updated',
      patientRef: 'Patient/p1',
      ins: '1800199999999',
      insSystem: 'urn:oid:1.2.250.1.213.1.4.8',
      requestId: 'req-2',
      now: new Date('2025-01-01T00:00:00Z'),
    }) as unknown as Json,
  ],
  [
    'consent change naming what changed',
    changeAuditEvent({
      actor: actor('normal'),
      action: 'U',
      what: 'Consent/c1/_history/3',
      description: 'DMP consent changed: block, authorize',
      changes: [
        { kind: 'block', professional: '810000000666' },
        { kind: 'authorize', professional: '810000000011', period: { end: '2026-06-30' } },
      ],
      patientRef: 'Patient/p1',
      ins: '1800199999999',
      insSystem: 'urn:oid:1.2.250.1.213.1.4.8',
      requestId: 'req-3',
      now: new Date('2025-01-02T00:00:00Z'),
    }) as unknown as Json,
  ],
];

describe.each([
  ['DmpConsent', consents],
  ['DmpAuditEvent', auditEvents],
] as const)('fhir-profiles/structure-definitions/%s.json', (name, instances) => {
  const sd = readStructure(name);

  it('is a valid R4 StructureDefinition (differential constraint on a resource)', () => {
    expect(validator.validate(sd)).toEqual([]);
    // No fhirVersion: the official R4 JSON schema's FHIRVersion enum stops at 4.0.0 and refuses 4.0.1.
    expect(sd).toMatchObject({ kind: 'resource', derivation: 'constraint' });
    expect(sd.snapshot).toBeUndefined();
  });

  it.each(instances)('holds for what the real code builds: %s', (_label, resource) => {
    expect(resource.resourceType).toBe(sd.type);
    expect(validator.validate(resource)).toEqual([]);
    expect(profileViolations(sd, resource)).toEqual([]);
  });

  it('is not vacuous: breaking a fixed value is reported', () => {
    const [, resource] = instances[0] ?? [];
    const broken = JSON.parse(JSON.stringify(resource)) as Json;
    if (name === 'DmpConsent') broken.status = 'inactive';
    else broken.source = { type: [{ system: 'x', code: '1' }] };
    expect(profileViolations(sd, broken)).not.toEqual([]);
  });
});
