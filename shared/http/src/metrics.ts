import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
export type { Counter } from 'prom-client';

/** Prometheus metrics of one service; each app gets its own registry (no global state). */
export interface ServiceMetrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route'>;
  /** Requests refused with 401 (not in the audit trail: the caller is unknown). */
  unauthenticated: Counter;
  /** AuditEvents the audit service refused, parked in the outbox's dead-letter topic. */
  auditDeadLetters: Counter;
}

export function createMetrics(
  service: string,
  options: { processMetrics?: boolean } = {},
): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration, by route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    auditDeadLetters: new Counter({
      name: 'audit_dead_letter_total',
      help: 'AuditEvents the audit service refused for good, parked in the dead-letter topic (alert on any)',
      registers: [registry],
    }),
    unauthenticated: new Counter({
      name: 'http_unauthenticated_total',
      help: 'Requests refused because no valid access token was presented (401)',
      registers: [registry],
    }),
  };
}

/**
 * A counter on a service's registry, made the first time it is asked for (a second app built on
 * the same metrics, as `createRoutes` does, gets the same counter instead of a clash).
 */
export function serviceCounter<L extends string = never>(
  metrics: ServiceMetrics,
  name: string,
  help: string,
  labelNames: readonly L[] = [],
): Counter<L> {
  const existing = metrics.registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing;
  return new Counter({ name, help, labelNames, registers: [metrics.registry] });
}
