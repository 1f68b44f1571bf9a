import { describeBuilt } from './describe-built';
import type { ChildProcess } from 'node:child_process';
import type { AuditEvent, Bundle } from 'fhir/r4';
import { benchIns } from '../../../services/documents/src/bench/bench-data';
import { eventually, fhirClient, openDmp } from './actors';
import {
  exited,
  INS_SYSTEM,
  prepareEnvironment,
  startService,
  type Environment,
} from './running-product';

/**
 * Audit without loss across a crash: a documents process killed with SIGKILL under load loses
 * no event of a request it answered. Each request carries its own `X-Request-Id`, which the
 * ITI-67 AuditEvent records (BALP `XrequestId` entity); after a restart on the same data
 * directory, the shipper delivers what was left in the outbox.
 */
describeBuilt('documents killed with SIGKILL under load', () => {
  let environment: Environment;
  const children: ChildProcess[] = [];
  const INS = benchIns(911);

  beforeAll(async () => {
    // A batch claimed but not acknowledged by the killed process is sent again after 500 ms.
    environment = await prepareEnvironment({ AUDIT_SHIP_LEASE_MS: '500' });
    for (const service of ['consent', 'audit', 'documents'] as const) {
      children.push(await startService(environment, service));
    }
  }, 60_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all(children.map(exited));
    environment.remove();
  });

  async function requestIdsInAudit(auditorToken: string): Promise<Map<string, number>> {
    const auditor = fhirClient(environment.urls.audit, auditorToken);
    const seen = new Map<string, number>();
    let page = (await auditor.search({
      resourceType: 'AuditEvent',
      searchParams: { subtype: 'ITI-67', _count: '100' },
    })) as Bundle;
    for (;;) {
      for (const entry of page.entry ?? []) {
        for (const entity of (entry.resource as AuditEvent).entity ?? []) {
          const id =
            entity.type?.code === 'XrequestId' ? entity.what?.identifier?.value : undefined;
          if (id !== undefined) seen.set(id, (seen.get(id) ?? 0) + 1);
        }
      }
      if (!page.link?.some((link) => link.relation === 'next')) return seen;
      page = (await auditor.nextPage({ bundle: page as Bundle & { type: 'searchset' } })) as Bundle;
    }
  }

  it('delivers the event of every answered request exactly once after a restart', async () => {
    const patient = environment.token(
      '--kind',
      'patient',
      '--sub',
      INS,
      '--scope',
      'patient/*.cruds',
    );
    await openDmp(fhirClient(environment.urls.consent, patient), INS);
    const doctor = environment.token('--profession', '10');
    const url = `${environment.urls.documents}/fhir/DocumentReference?patient.identifier=${INS_SYSTEM}|${INS}&status=current`;
    const answered: string[] = [];
    let next = 0;
    const worker = async () => {
      for (;;) {
        const id = `load-${(next += 1)}`;
        try {
          const res = await fetch(url, {
            headers: { authorization: `Bearer ${doctor}`, 'x-request-id': id },
          });
          await res.arrayBuffer();
          if (res.status === 200) answered.push(id);
        } catch {
          return; // the process is gone
        }
      }
    };
    const documents = children[2];
    const load = Promise.all(Array.from({ length: 16 }, worker));
    await eventually(() => Promise.resolve(answered.length >= 100 ? true : undefined), 20_000);
    documents?.kill('SIGKILL');
    await load;
    if (documents) await exited(documents);

    children.push(await startService(environment, 'documents'));
    const auditor = environment.token('--kind', 'auditor');
    const delivered = await eventually(async () => {
      const seen = await requestIdsInAudit(auditor);
      return answered.every((id) => seen.has(id)) ? seen : undefined;
    }, 20_000);

    expect(answered.length).toBeGreaterThanOrEqual(100);
    expect(answered.filter((id) => delivered.get(id) !== 1)).toEqual([]);
  }, 60_000);
});
