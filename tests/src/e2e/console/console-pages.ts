import type { BrowserContext, Page } from 'playwright-core';

/** What a user does in the console, in the words the page shows (French labels, roles). */
export class ConsolePages {
  constructor(readonly baseUrl: string) {}

  /** Opens the console and signs in with a preset actor of the development sign-in page. */
  async signInAs(context: BrowserContext, preset: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${this.baseUrl}/`);
    await page.getByRole('button', { name: preset }).click();
    await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();
    return page;
  }

  /** Signs in with the "Autre acteur" form (a professional or a patient of one's choosing). */
  async signInOther(
    context: BrowserContext,
    kind: 'Patient' | 'Professionnel de santé',
    identifier: string,
    name: string,
  ): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${this.baseUrl}/`);
    await page.getByLabel('Type d’acteur').selectOption({ label: kind });
    await page
      .getByLabel(kind === 'Patient' ? 'INS du patient' : 'Identifiant RPPS (idNat_PS)')
      .fill(identifier);
    await page.getByLabel('Nom affiché (facultatif)').fill(name);
    await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
    await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();
    return page;
  }

  async open(page: Page, link: string): Promise<void> {
    await page.getByRole('navigation').getByRole('link', { name: link }).click();
    await page.locator('main h1').first().waitFor();
  }

  /** A professional searches a patient's documents; resolves once the answer is shown. */
  async searchDocuments(page: Page, ins: string): Promise<void> {
    await page.reload(); // a fresh view: what is shown next is this search's answer
    await page.getByLabel('INS du patient').fill(ins);
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.locator('table, .error-box, .empty-state').first().waitFor();
  }

  documentRows(page: Page) {
    return page.locator('main table tbody tr');
  }

  /** Waits until the page lists exactly `count` rows in its table (or fails after 10 s). */
  async expectRows(page: Page, count: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    let seen = -1;
    while (Date.now() < deadline) {
      seen = await this.documentRows(page).count();
      if (seen === count) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`expected ${count} rows, saw ${seen}`);
  }
}
