import { loadConfig } from '@dmp/config';
import { runService } from '@dmp/runtime';
import {
  AUDIT_TOPIC,
  createApp,
  createConsentNotices,
  openConsentDecisionPoint,
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
    const {
      maxDocumentBytes,
      consentUrl,
      consentTimeoutMs,
      invisiblePatientSweepMs,
      decisionCacheEntries,
      decisionCacheMaxAgeMs,
    } = loadConfig(documentsSettings, process.env);
    if (consentUrl === undefined) {
      // Fail closed: without its decision point the service would decide on token scopes only.
      throw new Error('DOCUMENTS_CONSENT_URL must name the consent service (the decision point)');
    }
    const client = { baseUrl: consentUrl, token: deps.serviceToken, timeoutMs: consentTimeoutMs };
    let lastFeedWarning = 0;
    const { decider: accessDecider } = openConsentDecisionPoint({
      ...client,
      cacheEntries: decisionCacheEntries,
      cacheMaxAgeMs: decisionCacheMaxAgeMs,
      metrics: deps.metrics,
      // Until the feed answers again every decision is asked of consent: worth a warning, not a flood.
      onFeedError: (error) => {
        if (Date.now() - lastFeedWarning < 10_000) return;
        lastFeedWarning = Date.now();
        deps.logger.warn({ err: error }, 'consent change feed unreachable: decisions not reused');
      },
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
