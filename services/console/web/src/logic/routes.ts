import type { SessionUser } from '../api/session';

/** The views of the console, addressed by the URL fragment (`#/audit/recherche`). */
export type ViewId =
  | 'sign-in'
  | 'audit-search'
  | 'audit-event'
  | 'audit-break-glass'
  | 'audit-chain'
  | 'audit-export'
  | 'audit-chart'
  | 'patient-documents'
  | 'patient-history'
  | 'patient-choices'
  | 'patient-notifications'
  | 'pro-documents';

export interface Route {
  view: ViewId;
  /** The path parameter (an AuditEvent id). */
  id?: string;
  query: URLSearchParams;
}

const PATHS: Record<string, ViewId> = {
  '/connexion': 'sign-in',
  '/audit/recherche': 'audit-search',
  '/audit/bris-de-glace': 'audit-break-glass',
  '/audit/integrite': 'audit-chain',
  '/audit/export': 'audit-export',
  '/audit/activite': 'audit-chart',
  '/patient/documents': 'patient-documents',
  '/patient/historique': 'patient-history',
  '/patient/choix': 'patient-choices',
  '/patient/notifications': 'patient-notifications',
  '/professionnel/documents': 'pro-documents',
};

export const PATH_OF: Record<ViewId, string> = {
  'sign-in': '/connexion',
  'audit-search': '/audit/recherche',
  'audit-event': '/audit/evenement',
  'audit-break-glass': '/audit/bris-de-glace',
  'audit-chain': '/audit/integrite',
  'audit-export': '/audit/export',
  'audit-chart': '/audit/activite',
  'patient-documents': '/patient/documents',
  'patient-history': '/patient/historique',
  'patient-choices': '/patient/choix',
  'patient-notifications': '/patient/notifications',
  'pro-documents': '/professionnel/documents',
};

/** The home view of each kind of user. */
export function homeOf(user: SessionUser | undefined): ViewId {
  switch (user?.kind) {
    case 'auditor':
      return 'audit-search';
    case 'patient':
      return 'patient-documents';
    case 'practitioner':
      return 'pro-documents';
    case undefined:
      return 'sign-in';
  }
}

/** Which views a kind of user may open (the others send them home). */
export function allowedFor(user: SessionUser | undefined, view: ViewId): boolean {
  if (view === 'sign-in') return true;
  if (!user) return false;
  const prefix = { auditor: 'audit-', patient: 'patient-', practitioner: 'pro-' }[user.kind];
  return view.startsWith(prefix);
}

/** Parses `#/audit/evenement/<id>?x=y`. */
export function parseHash(hash: string): Route | undefined {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?', 2);
  const event = /^\/audit\/evenement\/([A-Za-z0-9\-.]{1,64})$/.exec(path);
  if (event?.[1]) return { view: 'audit-event', id: event[1], query: new URLSearchParams(query) };
  const view = PATHS[path];
  return view ? { view, query: new URLSearchParams(query) } : undefined;
}

export function hrefOf(view: ViewId, id?: string, query?: URLSearchParams): string {
  const search = query && [...query].length > 0 ? `?${query.toString()}` : '';
  return `#${PATH_OF[view]}${id ? `/${encodeURIComponent(id)}` : ''}${search}`;
}
