import { readFile } from 'node:fs/promises';
import { openDevIssuer } from '@dmp/auth';

export interface ServiceTokenSettings {
  service: string;
  dataDir: string;
  devIssuer: boolean;
  audience: string;
  /** A file holding the current system token (production: refreshed by a client-credentials agent). */
  tokenFile?: string;
}

/** Supplies the system token a service presents to the others (consent decisions, audit feed). */
export type ServiceToken = () => Promise<string>;

/**
 * `SERVICE_TOKEN_FILE` when set: re-read at each call, so that the client-credentials agent
 * that writes it can rotate it. Otherwise, with the dev issuer enabled, a system token
 * (`sub` = `dmp-<service>`) minted locally and renewed a minute before it expires. Otherwise
 * every call fails, and so does every request needing another service (fail closed).
 */
export function openServiceToken(settings: ServiceTokenSettings): ServiceToken {
  const { tokenFile } = settings;
  if (tokenFile !== undefined) return async () => (await readFile(tokenFile, 'utf8')).trim();
  if (!settings.devIssuer) {
    return () =>
      Promise.reject(new Error('no service token: set SERVICE_TOKEN_FILE (client credentials)'));
  }
  let cached: { token: string; renewAt: number } | undefined;
  const ttlSeconds = 900;
  return async () => {
    if (cached && Date.now() < cached.renewAt) return cached.token;
    const issuer = await openDevIssuer(settings.dataDir);
    const token = await issuer.sign(
      {
        sub: `dmp-${settings.service}`,
        client_id: `dmp-${settings.service}`,
        aud: settings.audience,
        scope: 'system/*.cruds',
        extensions: { fr_dmp: { actor_kind: 'system' } },
      },
      { ttlSeconds },
    );
    cached = { token, renewAt: Date.now() + (ttlSeconds - 60) * 1000 };
    return token;
  };
}
