import request from 'supertest';
import { createServiceApp } from './create-app';
import { silentLogger } from './logger';
import { createMetrics } from './metrics';

describe('readiness', () => {
  it('answers 503 DMP-STORAGE-UNAVAILABLE when the database check fails', async () => {
    const app = createServiceApp({
      capability: { name: 'T', title: 'T', description: 'T' },
      routes: [],
      authenticate: () => Promise.reject(new Error('unused')),
      readiness: () => Promise.reject(new Error('database is locked')),
      logger: silentLogger(),
      metrics: createMetrics('t'),
      bodyLimit: '1mb',
      softwareVersion: '1',
    });

    const res = await request(app).get('/readyz').expect(503);

    expect(res.body.issue[0].details.coding[0].code).toBe('DMP-STORAGE-UNAVAILABLE');
    expect(res.text).not.toContain('locked');
  });
});
