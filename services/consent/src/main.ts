import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '@dmp/config';
import { runService } from '@dmp/runtime';
import { createApp, parseAccessPolicy } from './app';
import { consentSettings } from './settings';

/** The shipped EXAMPLE policy, used until `CONSENT_POLICY_FILE` names the official one. */
const EXAMPLE_POLICY = path.resolve(__dirname, '..', '..', 'config', 'consent-policy.example.json');

/** Composition root: configuration from the environment, adapters chosen by URL, then serve. */
void runService({
  service: 'consent',
  env: process.env,
  auditTopic: 'audit',
  createApp: (deps) => {
    // Inside createApp so that a bad policy file stops the service with a one-line reason.
    const { policyFile, decisionClients, operatorClients, feedLeaseMs } = loadConfig(
      consentSettings,
      process.env,
    );
    const file = policyFile ?? EXAMPLE_POLICY;
    const loadPolicy = () => parseAccessPolicy(JSON.parse(readFileSync(file, 'utf8')) as unknown);
    const policy = loadPolicy();
    if (policy.example) {
      deps.logger.warn(
        { version: policy.version },
        'consent policy is the EXAMPLE, not the official matrix',
      );
    }
    return createApp({
      ...deps,
      policy,
      loadPolicy,
      feedLeaseMs,
      clients: { decisions: decisionClients, operators: operatorClients },
    });
  },
});
