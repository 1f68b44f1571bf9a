import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { AuditEvent, Bundle, List } from 'fhir/r4';
import { ACTORS, type ActorName } from './actors';
import { allCells, type Cell } from './cells';
import { claims, INS_A, INS_B, openWorld, type World } from './world';

/**
 * The permission matrix of issue 10, over HTTP on the three wired services: every actor ×
 * every interaction × every document state, generated from the tables of `actors.ts` and
 * `cells.ts`. Each cell states its answer; a refused cell must show no byte of any document
 * (marker or id of a document the actor may not see), and must be found, refused, in the audit
 * trail by an auditor (ITI-81).
 */
let world: World;
const tokens = new Map<ActorName, string>();
/** Request ids of the refused cells, to find in the audit trail at the end. */
const refused = new Map<string, string>();

beforeAll(async () => {
  world = await openWorld();
  for (const [name, actorClaims] of Object.entries(ACTORS)) {
    tokens.set(name as ActorName, await world.token(actorClaims));
  }
}, 120_000);
afterAll(() => world.close());

/**
 * Content of a hidden document (its marker, in description and bytes), and for patient B
 * anything naming A — except in B's own audit trail, which may show what B itself asked.
 */
function forbiddenText(cell: Cell): string[] {
  const texts = cell.hidden.map((state) => world.documents[state].marker);
  if (cell.actor === 'patientB' && !cell.name.startsWith('audit: ITI-81')) texts.push(INS_A);
  return texts;
}

/** Every event of patient B's trail is about B (as patient or as the one acting). */
function onlyAbout(ins: string, text: string): void {
  for (const entry of (JSON.parse(text) as Bundle).entry ?? []) {
    expect(JSON.stringify(entry.resource)).toContain(ins);
  }
}

/**
 * The documents an answer shows: resources of a Bundle (or the resource itself) and the
 * documents a List names. References inside a shown document may point anywhere (MHD allows
 * it); a hidden document must never be shown, nor listed.
 */
function shownIds(text: string): string[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [];
  }
  const resources =
    (body as Bundle).resourceType === 'Bundle'
      ? ((body as Bundle).entry ?? []).map((e) => e.resource)
      : [body as { id?: string }];
  return resources.flatMap((resource) => [
    resource?.id ?? '',
    ...((resource as List | undefined)?.entry ?? []).map(
      (e) => e.item?.reference?.split('/')[1] ?? '',
    ),
  ]);
}

/** The answer without its `link`s (they repeat the caller's own query). */
function withoutLinks(text: string): string {
  try {
    const { link: _link, ...rest } = JSON.parse(text) as { link?: unknown };
    return JSON.stringify(rest);
  } catch {
    return text;
  }
}

describe('permission matrix (actors × interactions × document states)', () => {
  const cells = allCells();

  it('covers every actor, interaction and state', () => {
    expect(new Set(cells.map((c) => c.actor)).size).toBe(Object.keys(ACTORS).length);
    expect(cells.length).toBeGreaterThan(1500);
  });

  it.each(
    cells.map(
      (cell) =>
        [`${cell.actor} · ${cell.name}${cell.state ? ` · ${cell.state}` : ''}`, cell] as const,
    ),
  )('%s', async (_label, cell) => {
    const requestId = randomUUID();
    const res = await cell.send(world, tokens.get(cell.actor) ?? '', requestId);

    expect({
      status: res.status,
      body: res.status === cell.expected ? '' : res.text.slice(0, 400),
    }).toEqual({
      status: cell.expected,
      body: '',
    });
    const body = withoutLinks(res.text ?? '');
    for (const text of forbiddenText(cell)) expect(body).not.toContain(text);
    const hiddenIds = cell.hidden.flatMap((state) => [
      world.documents[state].id,
      world.documents[state].binaryId,
    ]);
    if (cell.actor === 'patientB' && cell.name.startsWith('audit: ITI-81')) {
      onlyAbout(INS_B, res.text);
    }
    if (res.status < 300) {
      expect(shownIds(res.text ?? '').filter((id) => hiddenIds.includes(id))).toEqual([]);
    }
    if (res.status >= 400 && res.status !== 401) refused.set(requestId, _label);
  });

  it('every refused cell is in the audit trail, refused (outcome 4 or 8), for an auditor', async () => {
    await world.drained();
    const auditor = await world.token(claims.auditor());
    const ids = [...refused.keys()];
    const found = new Set<string>();
    for (let i = 0; i < ids.length; i += 50) {
      const chunk = ids.slice(i, i + 50);
      let url: string | undefined =
        `/fhir/AuditEvent?entity-id=${chunk.join(',')}&outcome=4,8&_count=100`;
      while (url) {
        const res: request.Response = await request(world.wired.audit)
          .get(url)
          .set('Authorization', `Bearer ${auditor}`)
          .expect(200);
        const bundle = res.body as Bundle;
        for (const entry of bundle.entry ?? []) {
          for (const entity of (entry.resource as AuditEvent).entity ?? []) {
            const value = entity.what?.identifier?.value;
            if (value) found.add(value);
          }
        }
        const next = bundle.link?.find((l) => l.relation === 'next')?.url;
        url = next ? next.slice(next.indexOf('/fhir/')) : undefined;
      }
    }
    const missing = ids.filter((id) => !found.has(id)).map((id) => refused.get(id));
    expect(missing).toEqual([]);
    expect(ids.length).toBeGreaterThan(500);
  }, 120_000);
});
