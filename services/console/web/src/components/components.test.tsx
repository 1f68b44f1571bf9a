import type { AuditEvent, DocumentReference } from 'fhir/r4';
import { renderToStaticMarkup } from 'react-dom/server';
import { EventDetails } from '../views/audit/event-details';
import { DocumentList } from '../views/document-list';
import { DayChart } from './day-chart';
import { EmptyState, ErrorBox, Progress } from './feedback';
import { Layout } from './layout';

/** The console's components rendered to HTML (React's server renderer: no DOM needed). */
describe('console components', () => {
  it('shows a refusal as an alert with the service’s text and code', () => {
    const html = renderToStaticMarkup(
      <ErrorBox
        failure={{ status: 403, text: 'Denied (PROFESSIONAL_BLOCKED)', code: 'DMP-CONSENT-DENIED' }}
      />,
    );
    expect(html).toContain('role="alert"');
    expect(html).toContain('Accès refusé (403)');
    expect(html).toContain('Denied (PROFESSIONAL_BLOCKED)');
    expect(html).toContain('DMP-CONSENT-DENIED');
  });

  it('announces progress and shows empty states', () => {
    expect(renderToStaticMarkup(<Progress label="Export" value={3} max={10} />)).toMatch(
      /role="status".*aria-live="polite".*<progress value="3" max="10" aria-label="Export"/,
    );
    expect(renderToStaticMarkup(<EmptyState>Rien</EmptyState>)).toBe(
      '<p class="empty-state">Rien</p>',
    );
  });

  it('marks the current page in the navigation and offers a skip link', () => {
    const html = renderToStaticMarkup(
      <Layout
        user={{ kind: 'auditor', name: 'A', subject: 'a', via: 'dev' }}
        current="audit-chain"
        onSignOut={() => {}}
      >
        x
      </Layout>,
    );
    expect(html).toContain('<a class="skip-link" href="#contenu">Aller au contenu</a>');
    expect(html).toContain('href="#/audit/integrite" aria-current="page"');
    expect(html).not.toContain('Mes documents');
  });

  it('tells an event readably with the raw AuditEvent behind a disclosure', () => {
    const event: AuditEvent = {
      resourceType: 'AuditEvent',
      id: 'e1',
      type: { code: 'rest' },
      action: 'R',
      recorded: '2026-11-20T10:00:00Z',
      outcome: '4',
      outcomeDesc: 'PROFESSIONAL_BLOCKED',
      agent: [{ requestor: true, name: 'Dr B', who: { identifier: { value: '8100' } } }],
      source: { observer: { display: 'documents' } },
    };
    const html = renderToStaticMarkup(<EventDetails event={event} />);
    expect(html).toContain('<dt>Qui</dt><dd>Dr B (8100)</dd>');
    expect(html).toContain('Refusé : PROFESSIONAL_BLOCKED');
    expect(html).toMatch(
      /<details><summary>Voir l’AuditEvent brut \(JSON FHIR\)<\/summary><pre[^>]*>\{/,
    );
  });

  it('draws the per-day chart with a text alternative and the numbers as a table', () => {
    const html = renderToStaticMarkup(
      <DayChart
        title="Patient X"
        counts={[
          { day: '2026-11-01', accesses: 2, refusals: 1 },
          { day: '2026-11-02', accesses: 0, refusals: 0 },
        ]}
      />,
    );
    expect(html).toContain('role="img" aria-label="Patient X : 2 accès et 1 refus sur 2 jours"');
    expect(html).toContain('<td>2026-11-01</td><td>2</td><td>1</td>');
  });

  it('lists documents with a download link through the console and a masked badge', () => {
    const document: DocumentReference = {
      resourceType: 'DocumentReference',
      id: 'd1',
      status: 'current',
      securityLabel: [
        { coding: [{ system: 'urn:oid:1.2.250.1.213.1.1.4.13', code: 'MASQUE_PS' }] },
      ],
      content: [
        {
          attachment: {
            url: 'http://127.0.0.1:8081/fhir/Binary/b1',
            contentType: 'application/pdf',
            title: 'CR',
          },
        },
      ],
    };
    const html = renderToStaticMarkup(<DocumentList documents={[document]} caption="Docs" />);
    expect(html).toContain('href="/api/fhir/documents/Binary/b1" download=""');
    expect(html).toContain('Masqué aux professionnels');
  });
});
