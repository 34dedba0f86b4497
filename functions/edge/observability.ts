/**
 * The service's Logger and Metrics, created once at module scope and shared by every function
 * (Powertools). Metrics go out as CloudWatch embedded metric format in namespace `Inventory`;
 * locally (`POWERTOOLS_DEV`) and in tests (`POWERTOOLS_METRICS_DISABLED`) they are not emitted.
 *
 * Every handler is built with `instrumented`: Powertools' middy middlewares add the Lambda context
 * to each log line and reset appended keys after the invocation (`injectLambdaContext`), and
 * publish the invocation's metrics, a ColdStart metric on a cold start, also when the handler
 * throws (`logMetrics`).
 */
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';

export const logger = new Logger({ serviceName: 'inventory' });
export const metrics = new Metrics({ namespace: 'Inventory', serviceName: 'inventory' });
export { MetricUnit };

/**
 * Locally and in tests metrics are off (nothing would be emitted), and one process runs many
 * invocations at once over the one shared Metrics store: adding to it would only print warnings.
 */
const metricsOff = () => process.env.POWERTOOLS_METRICS_DISABLED === 'true';

/** Count one outcome; `logMetrics` publishes it when the invocation ends. */
export function count(name: string, value = 1, dimensions: Record<string, string> = {}) {
  if (metricsOff()) return;
  for (const [k, v] of Object.entries(dimensions)) metrics.addDimension(k, v);
  metrics.addMetric(name, MetricUnit.Count, value);
}


/**
 * The context a function gets when the local runtime or a test calls it: `remainingMs` is the time
 * it is given (the local server gives routes their deployed 30 s; scheduled jobs get 15 minutes).
 */
export const localContext = (name: string, remainingMs = 900_000): Context => ({
  functionName: name,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
  memoryLimitInMB: '1024',
  awsRequestId: `local-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
  logGroupName: `/aws/lambda/${name}`,
  logStreamName: 'local',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => remainingMs,
  done() {},
  fail() {},
  succeed() {},
});

/** A Lambda handler with Powertools' Logger and Metrics middlewares around it. */
export function instrumented<E, R>(name: string, fn: (event: E, context: Context) => Promise<R>): (event?: E, context?: Context) => Promise<R> {
  const wrapped = middy<E, R>(fn).use(injectLambdaContext(logger, { resetKeys: true }));
  if (!metricsOff()) wrapped.use(logMetrics(metrics, { captureColdStartMetric: true }));
  // scheduled jobs are called with no event locally and in tests
  return (event, context) => wrapped((event ?? {}) as E, context ?? localContext(name));
}
