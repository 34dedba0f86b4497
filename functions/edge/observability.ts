/**
 * The service's Logger and Metrics, created once at module scope and shared by every function
 * (Powertools). Metrics go out as CloudWatch embedded metric format in namespace `Inventory`;
 * locally (`POWERTOOLS_DEV`) and in tests (`POWERTOOLS_METRICS_DISABLED`) they are not emitted.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export const logger = new Logger({ serviceName: 'inventory' });
export const metrics = new Metrics({ namespace: 'Inventory', serviceName: 'inventory' });
export { MetricUnit };

/** Count one outcome and publish what was added (called once per invocation, at its end). */
export function countAndFlush(name: string, value = 1, dimensions: Record<string, string> = {}) {
  for (const [k, v] of Object.entries(dimensions)) metrics.addDimension(k, v);
  metrics.addMetric(name, MetricUnit.Count, value);
  metrics.publishStoredMetrics();
}
