/**
 * How every function of ours is made, in whichever stack it lives (the main stack, or a route
 * family's nested stack): runtime, architecture, bundling, its own log group, the environment that
 * names the table, the bucket and the bus, and the role it runs with (lib/roles.ts).
 */
import { Duration } from 'aws-cdk-lib';
import type { RemovalPolicy } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { EventBus } from 'aws-cdk-lib/aws-events';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { resolve } from 'node:path';
import { BUNDLING, ROOT } from './bundling.ts';
import { servedFiles } from './served-files.ts';

/** What every function is told about (and the stack it is made in may reference). */
export interface SharedResources {
  table: TableV2;
  blobs: Bucket;
  bus: EventBus;
  removalPolicy: RemovalPolicy;
}

export const functionDefaults = {
  runtime: Runtime.NODEJS_24_X,
  architecture: Architecture.ARM_64,
  memorySize: 1024,
  timeout: Duration.seconds(10),
  // No active X-Ray tracing: nothing in the functions traces (no Tracer, no instrumented SDK clients),
  // so it only sampled empty segments and needed X-Ray rights on every role. Logs carry API Gateway's
  // request id, route and tenant instead, which join a function's lines to the API's access log.
  tracing: Tracing.DISABLED,
  bundling: {
    format: OutputFormat.ESM,
    minify: BUNDLING.minify,
    sourceMap: BUNDLING.sourceMap,
    target: BUNDLING.target,
    mainFields: BUNDLING.mainFields,
    externalModules: BUNDLING.external,
    banner: BUNDLING.banner,
    define: BUNDLING.define,
  },
};

export interface FunctionOptions {
  role: IRole;
  timeout?: Duration;
  environment?: Record<string, string>;
  /** Files served at run time (route table `assets`), copied beside the bundle. */
  assets?: readonly string[];
  extra?: Partial<NodejsFunctionProps>;
}

export function makeFunction(scope: Construct, name: string, entry: string, shared: SharedResources, opts: FunctionOptions): NodejsFunction {
  return new NodejsFunction(scope, name, {
    ...functionDefaults,
    ...(opts.timeout ? { timeout: opts.timeout } : {}),
    ...(opts.assets ? { bundling: { ...functionDefaults.bundling, commandHooks: copyAssets(opts.assets) } } : {}),
    ...opts.extra,
    role: opts.role,
    logGroup: new LogGroup(scope, `${name}Logs`, { retention: RetentionDays.ONE_MONTH, removalPolicy: shared.removalPolicy }),
    entry: resolve(ROOT, entry),
    environment: {
      TABLE_NAME: shared.table.tableName,
      BLOB_BUCKET: shared.blobs.bucketName,
      EVENT_BUS_NAME: shared.bus.eventBusName,
      POWERTOOLS_SERVICE_NAME: 'inventory',
      POWERTOOLS_METRICS_NAMESPACE: 'Inventory',
      NODE_OPTIONS: '--enable-source-maps',
      ...opts.environment,
    },
  });
}

/** The files a route serves (route table `assets`; lib/served-files.ts), copied beside its bundle after esbuild ran. */
function copyAssets(assets: readonly string[]) {
  const files = servedFiles(assets);
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_input: string, output: string) => files.map((f) => `cp "${f.path}" "${output}/${f.name}"`),
  };
}
