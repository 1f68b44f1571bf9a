import type { ReactNode } from 'react';
import type { SessionUser } from '../api/session';
import { hrefOf, type ViewId } from '../logic/routes';

const NAVIGATION: Record<SessionUser['kind'], [ViewId, string][]> = {
  auditor: [
    ['audit-search', 'Recherche dans la trace'],
    ['audit-break-glass', 'Bris de glace à revoir'],
    ['audit-chart', 'Activité par jour'],
    ['audit-chain', 'Intégrité de la chaîne'],
    ['audit-export', 'Export NDJSON'],
  ],
  patient: [
    ['patient-documents', 'Mes documents'],
    ['patient-history', 'Historique des accès'],
    ['patient-choices', 'Mes choix'],
    ['patient-notifications', 'Mes notifications'],
  ],
  practitioner: [['pro-documents', 'Documents d’un patient']],
};

const KIND_LABELS: Record<SessionUser['kind'], string> = {
  auditor: 'Auditeur',
  patient: 'Patient',
  practitioner: 'Professionnel de santé',
};

export function Layout({
  user,
  current,
  onSignOut,
  children,
}: {
  user: SessionUser | undefined;
  current: ViewId;
  onSignOut: () => void;
  children: ReactNode;
}) {
  return (
    <>
      <a className="skip-link" href="#contenu">
        Aller au contenu
      </a>
      <header className="site-header">
        <p className="brand">Console DMP</p>
        {user ? (
          <div className="who">
            <span>
              {KIND_LABELS[user.kind]} : <strong>{user.name}</strong>
              {user.via === 'dev' ? <span className="dev-badge"> (développement)</span> : null}
            </span>
            <button type="button" className="secondary" onClick={onSignOut}>
              Se déconnecter
            </button>
          </div>
        ) : null}
      </header>
      {user ? (
        <nav aria-label="Navigation principale" className="main-nav">
          <ul>
            {NAVIGATION[user.kind].map(([view, label]) => (
              <li key={view}>
                <a href={hrefOf(view)} aria-current={view === current ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      <main id="contenu" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
