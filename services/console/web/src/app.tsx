import { useCallback, useEffect, useState } from 'react';
import { getJson, rememberSession, send, whenSignedOut } from './api/client';
import type { SessionInfo } from './api/session';
import { Layout } from './components/layout';
import { Progress } from './components/feedback';
import { allowedFor, homeOf, hrefOf, parseHash, type Route } from './logic/routes';
import { ActivityView } from './views/audit/activity';
import { AuditEventView } from './views/audit/audit-event';
import { AuditSearchView } from './views/audit/audit-search';
import { BreakGlassView } from './views/audit/break-glass';
import { ChainView } from './views/audit/chain';
import { ExportView } from './views/audit/export';
import { MyChoicesView } from './views/patient/my-choices';
import { MyDocumentsView } from './views/patient/my-documents';
import { MyHistoryView } from './views/patient/my-history';
import { MyNotificationsView } from './views/patient/my-notifications';
import { PatientDocumentsView } from './views/professional/patient-documents';
import { SignInView } from './views/sign-in';

function currentRoute(): Route | undefined {
  return parseHash(window.location.hash);
}

/** The console: the session, the hash route, and the view the user may see. */
export function App() {
  const [session, setSession] = useState<SessionInfo | undefined | null>(null);
  const [route, setRoute] = useState<Route | undefined>(currentRoute);

  const signedIn = useCallback((info: SessionInfo | undefined) => {
    rememberSession(info);
    setSession(info);
  }, []);

  useEffect(() => {
    whenSignedOut(() => signedIn(undefined));
    getJson<SessionInfo>('/api/session').then(signedIn, () => signedIn(undefined));
    const onHash = () => {
      setRoute(currentRoute());
      document.getElementById('contenu')?.focus();
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [signedIn]);

  const user = session?.user;
  const view =
    route && allowedFor(user, route.view) && !(route.view === 'sign-in' && user)
      ? route.view
      : homeOf(user);
  useEffect(() => {
    if (session === null) return;
    const wanted = hrefOf(
      view,
      route?.view === view ? route.id : undefined,
      route?.view === view ? route.query : undefined,
    );
    if (window.location.hash !== wanted) window.history.replaceState(null, '', wanted);
    document.title = `${TITLES[view]} — Console DMP`;
  }, [session, view, route]);

  if (session === null) return <Progress label="Chargement de la console…" />;
  const signOut = () => {
    void send('/api/sign-out', { method: 'POST' }).finally(() => {
      signedIn(undefined);
      window.location.hash = '#/connexion';
    });
  };
  return (
    <Layout user={user} current={view} onSignOut={signOut}>
      {renderView(view, route, session, signedIn)}
    </Layout>
  );
}

const TITLES: Record<Route['view'], string> = {
  'sign-in': 'Connexion',
  'audit-search': 'Recherche dans la trace',
  'audit-event': 'Événement',
  'audit-break-glass': 'Bris de glace à revoir',
  'audit-chain': 'Intégrité de la chaîne',
  'audit-export': 'Export',
  'audit-chart': 'Activité par jour',
  'patient-documents': 'Mes documents',
  'patient-history': 'Historique des accès',
  'patient-choices': 'Mes choix',
  'patient-notifications': 'Mes notifications',
  'pro-documents': 'Documents d’un patient',
};

function renderView(
  view: Route['view'],
  route: Route | undefined,
  session: SessionInfo | undefined,
  signedIn: (info: SessionInfo) => void,
) {
  const user = session?.user;
  if (!user) {
    return <SignInView onSignedIn={signedIn} failed={route?.query.has('erreur') ?? false} />;
  }
  switch (view) {
    case 'sign-in':
      return <SignInView onSignedIn={signedIn} failed={false} />;
    case 'audit-search':
      return <AuditSearchView query={route?.query ?? new URLSearchParams()} />;
    case 'audit-event':
      return <AuditEventView id={route?.id ?? ''} />;
    case 'audit-break-glass':
      return <BreakGlassView />;
    case 'audit-chain':
      return <ChainView />;
    case 'audit-export':
      return <ExportView />;
    case 'audit-chart':
      return <ActivityView />;
    case 'patient-documents':
      return <MyDocumentsView user={user} />;
    case 'patient-history':
      return <MyHistoryView />;
    case 'patient-choices':
      return <MyChoicesView user={user} />;
    case 'patient-notifications':
      return <MyNotificationsView user={user} />;
    case 'pro-documents':
      return <PatientDocumentsView user={user} />;
  }
}
