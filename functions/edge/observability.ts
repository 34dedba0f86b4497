/**
 * The service's Logger (Powertools) and its metrics, shared by every function. Metrics go out as
 * CloudWatch embedded metric format (EMF) in namespace `Inventory`, dimension `service`, one JSON
 * line per invocation (plus a `ColdStart` line, dimensions `service` and `function_name`, on a cold
 * start): the lines Powertools Metrics wrote, from a writer of our own of a few hundred bytes where
 * Powertools Metrics put 12 KB into every bundle (docs/benchmarks.md, "Bundles"). Locally (`POWERTOOLS_DEV`) and
 * in tests (`POWERTOOLS_METRICS_DISABLED`) they are not emitted.
 *
 * Every handler is built with `instrumented`: Powertools' middy middleware adds the Lambda context to
 * each log line and resets appended keys after the invocation (`injectLambdaContext`); ours
 * publishes the invocation's metrics, also when the handler throws.
 *
 * Off Lambda (`npm start`, the tests) every function runs in one process and their invocations
 * overlap: the local server's requests, the stream poller, the timers. One shared logger state would
 * mix them (a request's lines said `function_name: "stream"`, the poller's, and lost their
 * `request_id` when another invocation ended first). Lambda runs several invocations in one process
 * on managed instances, and Powertools then keeps each invocation's state (Lambda context, appended
 * keys, log level) in the runtime's invoke store (`globalThis.awslambda.InvokeStore`, used when
 * `AWS_LAMBDA_MAX_CONCURRENCY` is set). Off Lambda this module plays the runtime's part: each
 * `instrumented` invocation runs in a store of its own. On Lambda (AWS_LAMBDA_FUNCTION_NAME set)
 * nothing of this is installed.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import type { MiddlewareObj } from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';

/** What Powertools asks of the runtime's invoke store; outside an invocation, one shared state (as on Lambda). */
class LocalInvokeStore {
  readonly #invocation = new AsyncLocalStorage<Record<PropertyKey, unknown>>();
  readonly #outside: Record<PropertyKey, unknown> = {};
  #state() {
    return this.#invocation.getStore() ?? this.#outside;
  }
  get(key: PropertyKey): unknown {
    return this.#state()[key];
  }
  set(key: PropertyKey, value: unknown): void {
    this.#state()[key] = value;
  }
  hasContext(): boolean {
    return this.#invocation.getStore() !== undefined;
  }
  getContext(): Record<PropertyKey, unknown> | undefined {
    return this.#invocation.getStore();
  }
  getRequestId(): string {
    return '-';
  }
  getXRayTraceId(): string | undefined {
    return undefined;
  }
  getTenantId(): string | undefined {
    return undefined;
  }
  run<T>(context: Record<PropertyKey, unknown>, fn: () => T): T {
    return this.#invocation.run(context, fn);
  }
}

/** Off Lambda: the store each invocation runs in (installed before the Logger is made). */
function localInvocations(): LocalInvokeStore | undefined {
  if (process.env.AWS_LAMBDA_FUNCTION_NAME) return undefined;
  const g = globalThis as { awslambda?: { InvokeStore?: unknown } };
  g.awslambda ??= {};
  if (!(g.awslambda.InvokeStore instanceof LocalInvokeStore)) g.awslambda.InvokeStore = new LocalInvokeStore();
  // Powertools reads this on every call: set, it keeps per-invocation state in the store above
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '1000';
  return g.awslambda.InvokeStore as LocalInvokeStore;
}
const invocations = localInvocations();

export const logger = new Logger({ serviceName: 'inventory' });
const NAMESPACE = 'Inventory';
const SERVICE = 'inventory';

/** Locally and in tests metrics are off (nothing would be read). */
const metricsOff = () => process.env.POWERTOOLS_METRICS_DISABLED === 'true';

/** The invocation's metrics (a Lambda runs one invocation at a time): name → sum, and its dimensions. */
let pending = { values: new Map<string, number>(), dimensions: {} as Record<string, string> };
let coldStart = true;

/** Count one outcome; published when the invocation ends. */
export function count(name: string, value = 1, dimensions: Record<string, string> = {}) {
  if (metricsOff()) return;
  Object.assign(pending.dimensions, dimensions);
  pending.values.set(name, (pending.values.get(name) ?? 0) + value);
}

/** One EMF line: the metrics (all Count), under the dimensions given (service first). */
export function emfLine(values: Map<string, number>, dimensions: Record<string, string>, at = Date.now()): string {
  const dims = { service: SERVICE, ...dimensions };
  return JSON.stringify({
    _aws: {
      Timestamp: at,
      CloudWatchMetrics: [{ Namespace: NAMESPACE, Dimensions: [Object.keys(dims)], Metrics: [...values.keys()].map((Name) => ({ Name, Unit: 'Count' })) }],
    },
    ...dims,
    ...Object.fromEntries(values),
  });
}

/** Write the invocation's metrics (and ColdStart on the first invocation of this runtime), then start afresh. */
export function publishMetrics(functionName: string, write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)) {
  if (coldStart) write(emfLine(new Map([['ColdStart', 1]]), { function_name: functionName }));
  coldStart = false;
  if (pending.values.size) write(emfLine(pending.values, pending.dimensions));
  pending = { values: new Map(), dimensions: {} };
}

const logMetrics = (): MiddlewareObj<unknown, unknown, Error, Context> => {
  const publish = (request: { context: Context }) => publishMetrics(request.context.functionName);
  return { after: publish, onError: publish };
};

/**
 * The context a function gets when the local runtime or a test calls it: `remainingMs` is the time
 * it is given (the local server gives routes 30 s, API Gateway's longest wait, where deployed they
 * have 10 s; scheduled jobs get 15 minutes).
 */
export const localContext = (name: string, remainingMs = 900_000): Context => ({
  functionName: name,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
  memoryLimitInMB: '1024',
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/${name}`,
  logStreamName: 'local',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => remainingMs,
  done() {},
  fail() {},
  succeed() {},
});

/** A Lambda handler with Powertools' Logger middleware and the metrics' around it. */
export function instrumented<E, R>(name: string, fn: (event: E, context: Context) => Promise<R>): (event?: E, context?: Context) => Promise<R> {
  const wrapped = middy<E, R>(fn).use(injectLambdaContext(logger, { resetKeys: true }));
  if (!metricsOff()) wrapped.use(logMetrics() as MiddlewareObj<E, R, Error, Context>);
  // scheduled jobs are called with no event locally and in tests
  const invoke = (event?: E, context?: Context) => wrapped((event ?? {}) as E, context ?? localContext(name));
  // off Lambda, each invocation its own logger state (see the top of this file)
  return invocations ? (event, context) => invocations.run({}, () => invoke(event, context)) : invoke;
}
