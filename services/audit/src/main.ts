import path from 'node:path';
import { loadConfig } from '@dmp/config';
import { SEARCH_PARAMETERS } from '@dmp/fhir';
import { parseStorageUrl } from '@dmp/storage';
import { openAuditLog, openAuditRetention, runService } from '@dmp/runtime';
import { Checkpointer, createApp, openCheckpointKey } from './app';
import { auditSettings } from './settings';

/** Composition root: configuration from the environment, adapters chosen by URL, then serve. */
void runService({
  service: 'audit',
  env: process.env,
  openExtras: async ({ location, dataDir, logger }) => {
    const settings = loadConfig(auditSettings, process.env);
    const auditLog = await openAuditLog(location, SEARCH_PARAMETERS);
    const key = openCheckpointKey(
      settings.checkpointKeyFile ?? path.join(dataDir, 'audit', 'checkpoint-key.pem'),
    );
    const checkpointer = new Checkpointer({
      log: auditLog,
      key,
      everyEvents: settings.checkpointEvery,
    });
    const stopCheckpoints = checkpointer.start(settings.checkpointSeconds * 1000, (error) =>
      logger.error({ err: error }, 'audit checkpoint failed'),
    );
    let stopRetention = () => Promise.resolve();
    if (settings.retentionDays !== undefined) {
      const days = settings.retentionDays;
      const retention = await openAuditRetention(
        settings.retentionStorageUrl === undefined
          ? location
          : parseStorageUrl(settings.retentionStorageUrl),
        auditLog,
      );
      const purge = () => {
        const cutoff = new Date(Date.now() - days * 86_400_000).toISOString();
        retention.purgeBefore(cutoff).then(
          (removed) => logger.info({ removed, cutoff }, 'audit retention purge'),
          (error: unknown) => logger.error({ err: error }, 'audit retention purge failed'),
        );
      };
      const timer = setInterval(purge, 86_400_000);
      timer.unref();
      stopRetention = () => {
        clearInterval(timer);
        return retention.close();
      };
    }
    logger.info(
      { kid: key.kid, retentionDays: settings.retentionDays ?? 'forever' },
      'audit log open',
    );
    return {
      deps: { auditLog, checkpointer, feedClients: settings.feedClients },
      close: async () => {
        stopCheckpoints();
        await stopRetention();
        await checkpointer.checkpoint();
        await auditLog.close();
      },
    };
  },
  createApp,
});
