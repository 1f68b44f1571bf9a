import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { demoIns } from '../seed/demo-data';
import {
  accessibilityViolations,
  chromiumInstalled,
  CHROMIUM,
  launchChromium,
  newUser,
  retryUntil,
  screenshot,
} from './console/browser';
import { ConsolePages } from './console/console-pages';
import { describeBuilt } from './describe-built';
import { exited, ROOT, startProduct, waitForOutput, type RunningProduct } from './running-product';

/**
 * The web console in headless Chromium against the product as `npm start` runs it, with the
 * demonstration data of `npm run seed`: each actor uses the views a person would, and every main
 * view passes axe-core's WCAG 2.1 A/AA rules. A screenshot of each view is saved under
 * `tests/output/console/`.
 */
const describeBrowser =
  chromiumInstalled || process.env.CI === 'true' ? describeBuilt : describe.skip;
if (!chromiumInstalled && process.env.CI !== 'true') {
  process.stderr.write(`console browser tests skipped: no Chromium at ${CHROMIUM}\n`);
}

describeBrowser('the web console in a real browser (npm start, npm run seed)', () => {
  let product: RunningProduct;
  let browser: Browser;
  let pages: ConsolePages;
  const PATIENT = demoIns(0); // the seed's first patient
  const OTHER_PATIENT = demoIns(1);
  const today = new Date().toISOString().slice(0, 10);

  beforeAll(async () => {
    product = await startProduct();
    const seed = spawn(process.execPath, [path.join(ROOT, 'tests', 'dist', 'seed', 'seed.js')], {
      env: { ...product.env, SEED_PATIENTS: '2', SEED_DOCUMENTS: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitForOutput(seed, 'Seeded 2 patients', 60_000);
    await exited(seed);
    browser = await launchChromium();
    pages = new ConsolePages(product.consoleUrl);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await product?.stop();
    product?.remove();
  });

  const expectAccessible = async (page: Parameters<typeof accessibilityViolations>[0]) =>
    expect(await accessibilityViolations(page)).toEqual([]);

  it('sign-in: the development page lists the actors, reachable with the keyboard', async () => {
    const context = await newUser(browser);
    const page = await context.newPage();
    await page.goto(`${product.consoleUrl}/`);
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'sign-in');

    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Aller au contenu');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Auditeur DMP');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Recherche dans la trace (ITI-81)' }).waitFor();
    await context.close();
  }, 60_000);

  it('sign-in: a failed sign-in is told in the console’s words, never with the address’s text', async () => {
    const context = await newUser(browser);
    const page = await context.newPage();
    await page.goto(
      `${product.consoleUrl}/#/connexion?erreur=${encodeURIComponent('Compte suspendu : appelez le 0899 000 000')}`,
    );
    const alert = page.getByRole('alert');
    await expect(alert.textContent()).resolves.toContain('La connexion n’a pas abouti');
    expect(await page.content()).not.toContain('0899');
    await context.close();
  }, 60_000);

  it('patient: sees their documents and masks one; a professional no longer finds it', async () => {
    const doctor = await pages.signInAs(await newUser(browser), 'Dr Camille Martin (810000000001)');
    await pages.searchDocuments(doctor, PATIENT);
    await pages.expectRows(doctor, 2);
    await expectAccessible(doctor);
    await screenshot(doctor, 'professional-documents');
    // The professional opens a document (ITI-68): the patient's history will name them.
    const download = doctor.waitForEvent('download');
    await pages
      .documentRows(doctor)
      .first()
      .getByRole('link', { name: /Ouvrir/ })
      .click();
    expect((await (await download).path()) ?? '').not.toBe('');

    const patient = await pages.signInAs(await newUser(browser), `Patient ${PATIENT}`);
    await patient.getByRole('heading', { name: 'Mes documents' }).waitFor();
    await pages.expectRows(patient, 2);
    await expectAccessible(patient);
    await screenshot(patient, 'patient-documents');
    await pages
      .documentRows(patient)
      .first()
      .getByRole('button', { name: /Masquer aux professionnels/ })
      .click();
    await patient
      .getByRole('status')
      .filter({ hasText: 'est masqué aux professionnels' })
      .waitFor();
    await patient.getByText('Masqué aux professionnels', { exact: true }).waitFor();

    await pages.searchDocuments(doctor, PATIENT);
    await pages.expectRows(doctor, 1);
  }, 90_000);

  it('patient: the access history names the professional who read their document', async () => {
    const patient = await pages.signInAs(await newUser(browser), `Patient ${PATIENT}`);
    await pages.open(patient, 'Historique des accès');
    await retryUntil(
      async () => {
        await patient.reload();
        await patient.locator('table, .empty-state').first().waitFor();
      },
      async () => (await patient.getByRole('row').filter({ hasText: 'a consulté' }).count()) > 0,
    );
    const consulted = patient.getByRole('row').filter({ hasText: 'a consulté' }).first();
    await expect(consulted.textContent()).resolves.toContain('Dr Camille Martin');
    await expectAccessible(patient);
    await screenshot(patient, 'patient-history');
  }, 60_000);

  it('patient: blocks a professional after the warning; that professional’s next search is refused', async () => {
    const doctor = await pages.signInOther(
      await newUser(browser),
      'Professionnel de santé',
      '810000000201',
      'Dr Chloé Durand',
    );
    await pages.searchDocuments(doctor, PATIENT);
    await pages.expectRows(doctor, 1);

    const patient = await pages.signInAs(await newUser(browser), `Patient ${PATIENT}`);
    await pages.open(patient, 'Mes choix');
    await patient.getByLabel('Identifiant du professionnel (RPPS, idNat_PS)').fill('810000000201');
    await patient.getByRole('button', { name: 'Bloquer', exact: true }).click();
    const warning = patient.getByRole('alertdialog');
    await expect(warning.textContent()).resolves.toContain('même en cas d’urgence');
    await expectAccessible(patient);
    await warning.getByRole('button', { name: 'Confirmer' }).click();
    await patient.getByRole('status').filter({ hasText: 'Professionnel bloqué.' }).waitFor();
    await patient.getByRole('listitem').filter({ hasText: '810000000201' }).first().waitFor();
    await expectAccessible(patient);
    await screenshot(patient, 'patient-choices');

    await pages.searchDocuments(doctor, PATIENT);
    const refusal = doctor.getByRole('alert');
    await expect(refusal.textContent()).resolves.toMatch(
      /Accès refusé \(403\).*PROFESSIONAL_BLOCKED/s,
    );
    await screenshot(doctor, 'professional-refused');
  }, 90_000);

  it('auditor: finds a break-glass access by patient and date, reviews it, and sees the review', async () => {
    const emergency = await pages.signInAs(
      await newUser(browser),
      'Dr Urgence (810000000077), bris de glace',
    );
    await pages.searchDocuments(emergency, OTHER_PATIENT);
    await pages.expectRows(emergency, 2);

    const auditor = await pages.signInAs(await newUser(browser), 'Auditeur DMP');
    await auditor.getByLabel('INS du patient').fill(OTHER_PATIENT);
    await auditor.getByLabel('Du', { exact: true }).fill(today);
    await auditor.getByLabel('Au', { exact: true }).fill(today);
    await auditor.getByLabel('Motif d’accès').selectOption({ label: 'Bris de glace' });
    const found = auditor.locator('main table tbody tr').filter({ hasText: 'Dr Urgence' });
    await retryUntil(
      async () => {
        await auditor.getByRole('button', { name: 'Rechercher' }).click();
        await auditor.locator('main table, .empty-state').first().waitFor();
      },
      async () => (await found.count()) > 0,
    );
    await expect(found.first().textContent()).resolves.toContain('Bris de glace');
    await expectAccessible(auditor);
    await screenshot(auditor, 'audit-search');

    await found.first().getByRole('link', { name: /Voir/ }).click();
    await auditor.getByRole('heading', { name: 'Événement de la trace' }).waitFor();
    await auditor.getByText('Patient inconscient aux urgences', { exact: true }).waitFor();
    await auditor.getByText('Voir l’AuditEvent brut (JSON FHIR)').click();
    await expect(auditor.locator('pre').textContent()).resolves.toContain(
      '"resourceType": "AuditEvent"',
    );
    await expectAccessible(auditor);
    await screenshot(auditor, 'audit-event');

    await pages.open(auditor, 'Bris de glace à revoir');
    const card = auditor.getByRole('listitem').filter({ hasText: OTHER_PATIENT }).first();
    await expect(card.textContent()).resolves.toContain('Patient inconscient aux urgences');
    await expectAccessible(auditor);
    await screenshot(auditor, 'audit-break-glass');
    await card.getByLabel('Commentaire de revue').fill('Urgence vitale confirmée');
    await card.getByRole('button', { name: 'Marquer comme revu' }).click();
    const notice = auditor.getByRole('status').filter({ hasText: 'Revue enregistrée' });
    await notice.waitFor();
    await notice.getByRole('link', { name: 'Voir la revue' }).click();
    await auditor.getByText('Revue d’un bris de glace').first().waitFor();
    await expect(auditor.locator('pre').textContent()).resolves.toContain(
      'Urgence vitale confirmée',
    );
  }, 90_000);

  it('patient: is notified of the emergency access', async () => {
    const patient = await pages.signInOther(
      await newUser(browser),
      'Patient',
      OTHER_PATIENT,
      'Patient 2',
    );
    await pages.open(patient, 'Mes notifications');
    await patient.getByRole('heading', { name: 'Accès en urgence à votre DMP' }).first().waitFor();
    await expectAccessible(patient);
    await screenshot(patient, 'patient-notifications');
  }, 60_000);

  it('auditor: the chain shows verified, the export streams NDJSON, the chart counts per day', async () => {
    const auditor = await pages.signInAs(await newUser(browser), 'Auditeur DMP');
    await pages.open(auditor, 'Intégrité de la chaîne');
    await auditor.getByText('Chaîne vérifiée').waitFor();
    await expectAccessible(auditor);
    await screenshot(auditor, 'audit-chain');

    await pages.open(auditor, 'Export NDJSON');
    await auditor.getByRole('button', { name: 'Exporter' }).click();
    const done = auditor.getByRole('status').filter({ hasText: 'Export terminé' });
    await done.waitFor();
    expect(Number(/(\d+) événement/.exec((await done.textContent()) ?? '')?.[1])).toBeGreaterThan(
      0,
    );
    await expectAccessible(auditor);
    await screenshot(auditor, 'audit-export');
    const saved = await auditor.getByRole('link', { name: /^Enregistrer/ }).getAttribute('href');
    // Whether the browser can still save what the address names (a revoked one cannot).
    const readable = async (url: string | null) => {
      const download = auditor.waitForEvent('download', { timeout: 5000 }).catch(() => undefined);
      // A string: the tests are compiled without the DOM's types.
      await auditor.evaluate(
        `(() => { const link = document.createElement('a'); link.href = ${JSON.stringify(url ?? '')};` +
          ` link.download = 'probe.ndjson'; document.body.append(link); link.click(); link.remove(); })()`,
      );
      const started = await download;
      return started !== undefined && (await started.failure()) === null;
    };
    await expect(readable(saved)).resolves.toBe(true);

    await pages.open(auditor, 'Activité par jour');
    // The export left with its view: its blob: address no longer reads.
    await expect(readable(saved)).resolves.toBe(false);
    await auditor.getByLabel('INS du patient').fill(PATIENT);
    await auditor.getByRole('button', { name: 'Afficher' }).click();
    const chart = auditor.locator('figure.chart figcaption');
    await chart.waitFor();
    await expect(chart.textContent()).resolves.toMatch(/[1-9]\d* accès, [1-9]\d* refus/);
    await expectAccessible(auditor);
    await screenshot(auditor, 'audit-activity');
  }, 90_000);

  it('shows a service’s refusal as its OperationOutcome text, never a blank page', async () => {
    const blocked = await pages.signInAs(await newUser(browser), 'Dr Paul Bloqué (810000000666)');
    await pages.searchDocuments(blocked, PATIENT);
    await expect(blocked.getByRole('alert').textContent()).resolves.toContain(
      'PROFESSIONAL_BLOCKED',
    );
    await expectAccessible(blocked);
  }, 60_000);
});
