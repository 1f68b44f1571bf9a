import { loadConfig } from '@dmp/config';
import { runService } from '@dmp/runtime';
import { createApp } from './app';
import { documentsSettings } from './settings';

/** Composition root: configuration from the environment, adapters chosen by URL, then serve. */
void runService({
  service: 'documents',
  env: process.env,
  createApp: (deps) => {
    // Inside createApp so that a bad value stops the service with a one-line reason.
    const { maxDocumentBytes } = loadConfig(documentsSettings, process.env);
    return createApp({ ...deps, maxDocumentBytes });
  },
});
