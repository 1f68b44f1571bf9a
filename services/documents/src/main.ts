import { loadConfig } from '@dmp/config';
import { createAccessClient, createPatientRegistryClient } from '@dmp/consent-client';
import { runService } from '@dmp/runtime';
import {
  AUDIT_TOPIC,
  createApp,
  createConsentAccessDecider,
  createConsentNotices,
  startInvisiblePatientSweep,
} from './app';
import { documentsSettings } from './settings';

/** Composition root: configuration from the environment, adapters chosen by URL, then serve. */
void runService({
  service: 'documents',
  env: process.env,
  auditTopic: AUDIT_TOPIC,
  createApp: (deps) => {
    // Inside createApp so that a bad value stops the service with a one-line reason.
    const { maxDocumentBytes, consentUrl, consentTimeoutMs, invisiblePatientSweepMs } = loadConfig(
      documentsSettings,
      process.env,
    );
    if (consentUrl === undefined) {
      // Fail closed: without its decision point the service would decide on token scopes only.
      throw new Error('DOCUMENTS_CONSENT_URL must name the consent service (the decision point)');
    }
    const client = { baseUrl: consentUrl, token: deps.serviceToken, timeoutMs: consentTimeoutMs };
    const accessDecider = createConsentAccessDecider({
      access: createAccessClient(client),
      patients: createPatientRegistryClient(client),
    });
    // The timer is unref'd: it never keeps the process alive, and a pass cut short by a stop is
    // simply done again by the next start (the consent service sends each notice once).
    startInvisiblePatientSweep({
      store: deps.store,
      notify: createConsentNotices(client),
      intervalMs: invisiblePatientSweepMs,
      onError: (error) => deps.logger.warn({ err: error }, 'invisible-patient sweep failed'),
    });
    return createApp({ ...deps, maxDocumentBytes, accessDecider });
  },
});
