import { describeBuilt } from './describe-built';
import type { AuditEvent, Binary, Bundle, Communication, Consent, Parameters } from 'fhir/r4';
import { benchIns } from '../../../services/documents/src/bench/bench-data';
import {
  authoredBy,
  binaryIdOf,
  change,
  changeConsent,
  eventually,
  failureOf,
  fhirClient,
  findDocuments,
  maskDocument,
  openDmp,
  partsOf,
  provideBundle,
  resourcesOf,
} from './actors';
import { INS_SYSTEM, startProduct, type RunningProduct } from './running-product';

/**
 * Each actor of the DMP drives the three running services (`npm start`) with a FHIR client:
 * hospital software, professional software, the patient, the auditor, and a break-glass access
 * from request to review. Tokens come from the token CLI.
 */
describeBuilt('the DMP used by its actors (three processes, fhir-kit-client)', () => {
  let product: RunningProduct;
  const INS = benchIns(901);
  const CARE_TEAM_DOCTOR = '810000000101';
  const OTHER_DOCTOR = '810000000102';
  let patientToken: string;

  const documentsAs = (token: string) => fhirClient(product.urls.documents, token);
  const consentAs = (token: string) => fhirClient(product.urls.consent, token);
  const auditAs = (token: string) => fhirClient(product.urls.audit, token);
  const patientOf = (ins: string) =>
    product.token('--kind', 'patient', '--sub', ins, '--scope', 'patient/*.cruds');
  const doctor = (id: string, ...more: string[]) =>
    product.token('--sub', id, '--profession', '10', '--name', `Dr ${id}`, ...more);

  beforeAll(async () => {
    product = await startProduct();
    patientToken = patientOf(INS);
  }, 40_000);

  afterAll(async () => {
    await product.stop();
    product.remove();
  });

  it('hospital software: ITI-65 is refused before the patient opens a DMP, stored after', async () => {
    const hospital = documentsAs(product.token('--kind', 'system'));

    const refused = await failureOf(
      hospital.transaction({ body: provideBundle(INS, 'CR sortie') }),
    );
    expect(refused.status).toBe(422);
    expect(refused.body).toContain('DMP-PATIENT-NO-DMP');

    await openDmp(consentAs(patientToken), INS);
    const response = (await hospital.transaction({
      body: provideBundle(INS, 'CR sortie'),
    })) as Bundle;

    expect(response.type).toBe('transaction-response');
    expect(response.entry?.map((e) => e.response?.status)).toEqual([
      '201 Created',
      '201 Created',
      '201 Created',
    ]);
  });

  it('professional software: ITI-67/68 denied without a basis, allowed once the patient authorizes', async () => {
    const unknownDoctor = documentsAs(doctor(OTHER_DOCTOR, '--attest', 'none'));

    const denied = await failureOf(findDocuments(unknownDoctor, INS));
    expect(denied.status).toBe(403);
    expect(denied.body).toContain('NO_ATTESTATION');

    await changeConsent(consentAs(patientToken), INS, change('authorize', OTHER_DOCTOR));
    const [document] = await findDocuments(unknownDoctor, INS);
    expect(document).toBeDefined();
    const binary = (await unknownDoctor.read({
      resourceType: 'Binary',
      id: binaryIdOf(
        document ?? { resourceType: 'DocumentReference', status: 'current', content: [] },
      ),
    })) as Binary;
    expect(Buffer.from(binary.data ?? '', 'base64').toString()).toContain('CR sortie');
  });

  it('professional software: a care-team attestation reads, until the patient blocks that professional', async () => {
    const careTeam = documentsAs(doctor(CARE_TEAM_DOCTOR));
    const [document] = await findDocuments(careTeam, INS);
    const binaryId = binaryIdOf(
      document ?? { resourceType: 'DocumentReference', status: 'current', content: [] },
    );
    // The permit is kept: the same search is served from the documents service's cache.
    const reused = async () => {
      const response = await fetch(`${product.urls.documents}/metrics`, {
        headers: { authorization: `Bearer ${product.token('--kind', 'system')}` },
      });
      const line = (await response.text())
        .split('\n')
        .find((l) => l.startsWith('access_decision_cache_total{') && l.includes('result="hit"'));
      return Number(line?.split(' ').pop() ?? 0);
    };
    const before = await reused();
    await eventually(async () => {
      await findDocuments(careTeam, INS);
      return (await reused()) > before ? true : undefined;
    });

    await changeConsent(consentAs(patientToken), INS, change('block', CARE_TEAM_DOCTOR));

    const search = await failureOf(findDocuments(careTeam, INS));
    expect(search.status).toBe(403);
    expect(search.body).toContain('PROFESSIONAL_BLOCKED');
    // By id, a refusal looks like an unknown id: nothing tells the blocked professional it exists.
    const read = await failureOf(careTeam.read({ resourceType: 'Binary', id: binaryId }));
    expect(read.status).toBe(404);
    expect(read.body).toContain('DMP-RESOURCE-NOT-FOUND');
  });

  it('patient masks a document: other professionals lose it, the médecin traitant and its author keep it', async () => {
    const ins = benchIns(903);
    const AUTHOR = '810000000104';
    const ATTENDING = '810000000105';
    const OTHER = '810000000106';
    const patient = consentAs(patientOf(ins));
    await openDmp(patient, ins);
    const response = (await documentsAs(product.token('--kind', 'system')).transaction({
      body: authoredBy(provideBundle(ins, 'Compte rendu psychiatrique'), AUTHOR),
    })) as Bundle;
    const id = /DocumentReference\/([^/]+)/.exec(
      response.entry?.[1]?.response?.location ?? '',
    )?.[1];
    if (id === undefined) throw new Error('no DocumentReference created');
    await changeConsent(patient, ins, change('attending-physician', ATTENDING));
    const other = documentsAs(doctor(OTHER));
    const [before] = await findDocuments(other, ins);
    expect(before?.id).toBe(id);
    const binaryId = binaryIdOf(
      before ?? { resourceType: 'DocumentReference', status: 'current', content: [] },
    );

    await maskDocument(documentsAs(patientOf(ins)), id);

    expect(await findDocuments(other, ins)).toEqual([]);
    const read = await failureOf(other.read({ resourceType: 'Binary', id: binaryId }));
    expect(read.status).toBe(404);
    expect(read.body).not.toContain('MASQUE');

    const attending = documentsAs(doctor(ATTENDING));
    expect((await findDocuments(attending, ins)).map((d) => d.id)).toEqual([id]);
    const seen = (await attending.read({ resourceType: 'Binary', id: binaryId })) as Binary;
    expect(Buffer.from(seen.data ?? '', 'base64').toString()).toContain('psychiatrique');

    // The author reads it by id (a masked document stays out of its author's searches: README).
    const author = documentsAs(doctor(AUTHOR));
    const document = (await author.read({ resourceType: 'DocumentReference', id })) as {
      securityLabel?: { coding?: { code?: string }[] }[];
    };
    expect(JSON.stringify(document.securityLabel)).toContain('MASQUE_PS');
    const own = (await author.read({ resourceType: 'Binary', id: binaryId })) as Binary;
    expect(Buffer.from(own.data ?? '', 'base64').toString()).toContain('psychiatrique');
  });

  it('patient: sees who consulted their DMP in the access history, once the shipper delivered it', async () => {
    const history = auditAs(patientToken);

    const lines = await eventually(async () => {
      const found = partsOf(
        await history.operation({
          resourceType: 'AuditEvent',
          name: '$patient-history',
          method: 'GET',
        }),
      );
      return found.some((line) => line.what === 'consulted') ? found : undefined;
    });

    expect(lines).toContainEqual(
      expect.objectContaining({ what: 'consulted', who: `Dr ${OTHER_DOCTOR}`, how: 'normal' }),
    );
    expect(JSON.stringify(lines)).not.toContain('dmp-dev-cli'); // no client id for the patient
    // Every consultation or search names who did it; consent's decision records are not accesses.
    const accesses = lines.filter((line) => line.what === 'consulted' || line.what === 'searched');
    expect(accesses.length).toBeGreaterThan(0);
    expect(accesses.filter((line) => line.who === undefined)).toEqual([]);
  });

  it('patient: their own consent changes show in the history as theirs, saying what changed', async () => {
    const history = auditAs(patientToken);

    const lines = await eventually(async () => {
      // One page holds it all: each poll adds a line of its own (the patient read their trail).
      const found = partsOf(
        await history.operation({
          resourceType: 'AuditEvent',
          name: '$patient-history',
          method: 'GET',
          input: { _count: '100' },
        }),
      );
      const changes = found.filter((line) => line.what === 'consent-changed');
      return changes.some((line) => String(line.change).startsWith('blocked')) ? found : undefined;
    });

    // Made by the patient (earlier tests): authorized OTHER_DOCTOR, then blocked CARE_TEAM_DOCTOR.
    expect(lines).toContainEqual(
      expect.objectContaining({
        who: 'vous',
        what: 'consent-changed',
        change: `authorized professional ${OTHER_DOCTOR}`,
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        who: 'vous',
        what: 'consent-changed',
        change: `blocked professional ${CARE_TEAM_DOCTOR}`,
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ who: 'vous', what: 'dmp-changed', change: 'DMP created' }),
    );
    expect(lines.filter((line) => line.what === 'replaced' && line.who === undefined)).toEqual([]);
  });

  it('auditor: ITI-81 finds the ITI-65, ITI-67, ITI-68 and denial events, and the chain verifies', async () => {
    const auditor = auditAs(product.token('--kind', 'auditor'));
    const search = async () =>
      resourcesOf<AuditEvent>(
        await auditor.search({
          resourceType: 'AuditEvent',
          searchParams: { 'patient.identifier': `${INS_SYSTEM}|${INS}`, _count: '100' },
        }),
      );
    const transactions = (events: AuditEvent[]) =>
      new Set(events.flatMap((e) => (e.subtype ?? []).map((s) => s.code)));

    const events = await eventually(async () => {
      const found = await search();
      const seen = transactions(found);
      return ['ITI-65', 'ITI-67', 'ITI-68'].every((t) => seen.has(t)) ? found : undefined;
    });
    expect(events.some((e) => e.outcome !== '0')).toBe(true);

    const verified = (await auditor.operation({
      resourceType: 'AuditEvent',
      name: '$verify',
      method: 'GET',
    })) as Parameters;
    expect(verified.parameter).toContainEqual({ name: 'ok', valueBoolean: true });
  });

  it('break-glass: permitted with a reason, a grant and a notification, then reviewed by an auditor', async () => {
    const ins = benchIns(902);
    const patient = patientOf(ins);
    await openDmp(consentAs(patient), ins);
    await documentsAs(product.token('--kind', 'system')).transaction({
      body: provideBundle(ins, 'Allergies'),
    });
    const emergency = (...more: string[]) =>
      documentsAs(doctor('810000000103', '--mode', 'bris_de_glace', ...more));

    const noReason = await failureOf(findDocuments(emergency(), ins));
    expect(noReason.status).toBe(401); // the token itself is invalid without a reason
    expect(noReason.body).toContain('access_reason');
    const found = await findDocuments(
      emergency('--reason', 'Patient inconscient aux urgences'),
      ins,
    );
    expect(found).toHaveLength(1);

    const consent = consentAs(patient);
    const notices = resourcesOf<Communication>(
      await consent.search({
        resourceType: 'Communication',
        searchParams: { 'patient.identifier': `${INS_SYSTEM}|${ins}` },
      }),
    );
    expect(JSON.stringify(notices)).toContain('emergency-access');
    const consents = resourcesOf<Consent>(
      await consent.search({
        resourceType: 'Consent',
        searchParams: { 'patient.identifier': `${INS_SYSTEM}|${ins}` },
      }),
    );
    expect(JSON.stringify(consents)).toContain('emergency-grant');

    const auditor = auditAs(product.token('--kind', 'auditor'));
    const unreviewed = async () =>
      resourcesOf<AuditEvent>(
        await auditor.operation({
          resourceType: 'AuditEvent',
          name: '$break-glass-review',
          method: 'GET',
        }),
      ).filter((e) => JSON.stringify(e).includes(ins));
    const pending = await eventually(async () => {
      const events = await unreviewed();
      return events.length > 0 ? events : undefined;
    });
    await auditor.operation({
      resourceType: 'AuditEvent',
      name: '$break-glass-review',
      input: {
        resourceType: 'Parameters',
        parameter: [
          ...pending.map((e) => ({
            name: 'event',
            valueReference: { reference: `AuditEvent/${e.id ?? ''}` },
          })),
          { name: 'comment', valueString: 'Urgence vitale confirmée par le service' },
        ],
      },
    });

    expect(await unreviewed()).toEqual([]);
  });
});
