/** The signed-in user as `/api/session` gives it (the token stays on the server). */
export interface SessionUser {
  kind: 'auditor' | 'patient' | 'practitioner';
  name: string;
  subject: string;
  ins?: string;
  via: 'dev' | 'pro' | 'patient';
}

export interface SessionInfo {
  user: SessionUser;
  csrfToken: string;
}
