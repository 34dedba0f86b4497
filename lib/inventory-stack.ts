/**
 * The deployable service, read top-down: table → storage and events → functions (one per route of
 * the route table, each granted exactly the access its route declares) → HTTP API with the key
 * authorizer → stream consumer → schedules → monitoring. Settings come from CDK context
 * (lib/settings.ts); nothing here names a route: a route added to the table is deployed as it is.
 */
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { CfnStage, CorsHttpMethod, HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, Billing, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, StartingPosition, Tracing } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, EventType, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct, IConstruct } from 'constructs';
import { resolve } from 'node:path';
import { routes } from '../functions/routes.ts';
import type { Route } from '../functions/routes.ts';
import { TABLE } from './table-definition.ts';
import { BUNDLING, ROOT } from './bundling.ts';
import { SERVICE_ACCESS, SERVICE_FUNCTIONS, functionName } from './functions.ts';
import { tableGrant } from './access.ts';
import { servedFiles } from './served-files.ts';
import type { TableAccessDeclaration } from './access.ts';
import { Monitoring } from './monitoring.ts';
import type { StackSettings } from './settings.ts';

export type InventoryStackProps = StackProps & StackSettings;

/** Record a cdk-nag finding as accepted, with its reason, on a construct (and everything under it). */
export const acknowledge = (scope: IConstruct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });

export class InventoryStack extends Stack {
  readonly table: TableV2;
  readonly api: HttpApi;
  readonly blobs: Bucket;
  readonly bus: EventBus;
  /** Every function, by route id (or `authorizer`, `stream`, `scheduled.report`, `scheduled.expiry`, `uploads.processor`). */
  readonly functions = new Map<string, NodejsFunction>();
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: InventoryStackProps) {
    super(scope, id, props);
    const durable = props.stage !== 'dev';
    const removalPolicy = durable ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // ---- the table (one definition, shared with the local runtime) ----
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      globalSecondaryIndexes: TABLE.indexes.map((i) => ({
        indexName: i.name,
        partitionKey: { name: i.partitionKey, type: AttributeType.STRING },
        sortKey: { name: i.sortKey, type: AttributeType.STRING },
      })),
      timeToLiveAttribute: TABLE.ttlAttribute,
      dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES,
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: durable,
      removalPolicy,
    });

    // ---- storage for uploads and reports (with its access log), and the event bus ----
    const accessLogs = new Bucket(this, 'BlobAccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy,
      autoDeleteObjects: !durable,
    });
    acknowledge(accessLogs, 'AwsSolutions-S1', 'This is the access-log bucket of the blob bucket; logging it into itself would loop.');
    this.blobs = new Bucket(this, 'Blobs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: durable,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'blobs/',
      lifecycleRules: [
        { prefix: 'reports/', expiration: Duration.days(400) },
        { prefix: 'uploads/', expiration: Duration.days(30) },
        { abortIncompleteMultipartUploadAfter: Duration.days(1), noncurrentVersionExpiration: Duration.days(30) },
      ],
      removalPolicy,
      autoDeleteObjects: !durable,
    });
    this.bus = new EventBus(this, 'Bus', { eventBusName: `inventory-${props.stage}` });

    // ---- functions: one per route, the authorizer, the stream consumer, the scheduled jobs ----
    const fn = (name: string, entry: string, timeout?: Duration, environment: Record<string, string> = {}, extra: Partial<NodejsFunctionProps> = {}) => {
      const f = new NodejsFunction(this, name, {
        ...functionDefaults,
        ...(timeout ? { timeout } : {}),
        ...extra,
        logGroup: new LogGroup(this, `${name}Logs`, { retention: RetentionDays.ONE_MONTH, removalPolicy }),
        entry: resolve(ROOT, entry),
        environment: {
          TABLE_NAME: this.table.tableName,
          BLOB_BUCKET: this.blobs.bucketName,
          EVENT_BUS_NAME: this.bus.eventBusName,
          POWERTOOLS_SERVICE_NAME: 'inventory',
          POWERTOOLS_METRICS_NAMESPACE: 'Inventory',
          NODE_OPTIONS: '--enable-source-maps',
          ...environment,
        },
      });
      this.acknowledgeFunction(f);
      return f;
    };

    const authorizerFn = fn('Authorizer', SERVICE_FUNCTIONS.Authorizer, undefined, { AUTHORIZER_CACHE_TTL: String(props.authorizerCacheTtl) });
    grantTable(this.table, authorizerFn, SERVICE_ACCESS.Authorizer.access);
    this.functions.set('authorizer', authorizerFn);
    // No identity source, so no API Gateway cache: a key may come in either of two headers, and an
    // HTTP API refuses a request lacking a listed identity source before our 401. The authorizer
    // caches per key in the function instead (AUTHORIZER_CACHE_TTL, from context authorizerCacheTtl).
    const authorizer = new HttpLambdaAuthorizer('KeyAuthorizer', authorizerFn, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: [],
      resultsCacheTtl: Duration.seconds(0),
    });

    // ---- the HTTP API: every route of the route table, each with its own function ----
    this.api = new HttpApi(this, 'Api', {
      apiName: `inventory-${props.stage}`,
      createDefaultStage: true,
      ...(props.corsOrigins.length
        ? {
            corsPreflight: {
              allowOrigins: props.corsOrigins,
              allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PUT, CorsHttpMethod.PATCH, CorsHttpMethod.DELETE],
              allowHeaders: ['authorization', 'x-api-key', 'content-type', 'idempotency-key'],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });
    const accessLog = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.THREE_MONTHS, removalPolicy });
    const stage = this.api.defaultStage!.node.defaultChild as CfnStage;
    stage.accessLogSettings = {
      destinationArn: accessLog.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        time: '$context.requestTime',
        method: '$context.httpMethod',
        route: '$context.routeKey',
        status: '$context.status',
        latency: '$context.responseLatency',
        integrationError: '$context.integrationErrorMessage',
        authorizerError: '$context.authorizer.error',
        tenant: '$context.authorizer.tenant',
        key: '$context.authorizer.key_id',
      }),
    };
    stage.defaultRouteSettings = { throttlingRateLimit: props.throttleRate, throttlingBurstLimit: props.throttleBurst, detailedMetricsEnabled: true };

    for (const route of routes) {
      const handler = fn(functionName(route), route.handler, undefined, {}, route.assets ? { bundling: { ...functionDefaults.bundling, commandHooks: copyAssets(route.assets) } } : {});
      grantRoute(this, handler, route);
      this.functions.set(route.id, handler);
      const [apiRoute] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${functionName(route)}Integration`, handler),
        authorizer: route.scope === 'public' ? undefined : authorizer,
      });
      if (route.scope === 'public') acknowledge(apiRoute, 'AwsSolutions-APIG4', 'Public by contract: health, the OpenAPI document and the docs page carry no tenant data.');
    }

    // ---- the stream consumer: low-stock flags and status events ----
    const consumer = fn('StreamConsumer', SERVICE_FUNCTIONS.StreamConsumer, Duration.seconds(60));
    grantTable(this.table, consumer, SERVICE_ACCESS.StreamConsumer.access);
    if (SERVICE_ACCESS.StreamConsumer.publishes) this.bus.grantPutEventsTo(consumer);
    const streamDlq = new Queue(this, 'StreamFailures', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    acknowledge(streamDlq, 'AwsSolutions-SQS3', 'This queue is the dead-letter destination of the stream consumer; it has no queue of its own to fail into.');
    consumer.addEventSource(
      new DynamoEventSource(this.table as never, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        bisectBatchOnError: true,
        retryAttempts: 5,
        maxRecordAge: Duration.hours(6),
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(streamDlq),
      }),
    );
    this.functions.set('stream', consumer);

    // ---- schedules: the daily low-stock report, and the reservation expiry sweep every minute ----
    const report = fn('LowStockReport', SERVICE_FUNCTIONS.LowStockReport, Duration.minutes(5));
    grantTable(this.table, report, SERVICE_ACCESS.LowStockReport.access);
    if (SERVICE_ACCESS.LowStockReport.blobs === 'write') this.blobs.grantReadWrite(report);
    if (SERVICE_ACCESS.LowStockReport.publishes) this.bus.grantPutEventsTo(report);
    const reportRule = new Rule(this, 'DailyReport', { schedule: Schedule.cron({ minute: '0', hour: '5' }), targets: [new LambdaFunction(report, { retryAttempts: 2 })] });
    const sweeper = fn('ExpireReservations', SERVICE_FUNCTIONS.ExpireReservations, Duration.seconds(55));
    grantTable(this.table, sweeper, SERVICE_ACCESS.ExpireReservations.access);
    const sweepRule = new Rule(this, 'ExpirySweep', { schedule: Schedule.rate(Duration.minutes(1)), targets: [new LambdaFunction(sweeper, { retryAttempts: 0 })] });
    this.functions.set('scheduled.report', report);
    this.functions.set('scheduled.expiry', sweeper);
    // the daily reconcile in report mode (drifts published, nothing changed), after the report
    const reconciler = fn('Reconcile', SERVICE_FUNCTIONS.Reconcile, Duration.minutes(15));
    grantTable(this.table, reconciler, SERVICE_ACCESS.Reconcile.access);
    if (SERVICE_ACCESS.Reconcile.publishes) this.bus.grantPutEventsTo(reconciler);
    const reconcileRule = new Rule(this, 'DailyReconcile', { schedule: Schedule.cron({ minute: '30', hour: '5' }), targets: [new LambdaFunction(reconciler, { retryAttempts: 2 })] });
    this.functions.set('scheduled.reconcile', reconciler);

    // ---- CSV uploads: the bucket's ObjectCreated (uploads/) starts the processor; it continues itself ----
    const uploadFailures = new Queue(this, 'UploadFailures', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    acknowledge(uploadFailures, 'AwsSolutions-SQS3', 'This queue is the dead-letter queue of the upload processor; it has no queue of its own to fail into.');
    const processorName = `inventory-${props.stage}-upload-processor`;
    const processor = fn('UploadProcessor', SERVICE_FUNCTIONS.UploadProcessor, Duration.minutes(15), {}, {
      functionName: processorName,
      deadLetterQueue: uploadFailures,
      retryAttempts: 2,
    });
    grantTable(this.table, processor, SERVICE_ACCESS.UploadProcessor.access);
    if (SERVICE_ACCESS.UploadProcessor.blobs === 'read-uploads') this.blobs.grantRead(processor, 'uploads/*');
    acknowledge(
      processor,
      `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.blobs.node.defaultChild as never)}.Arn>/uploads/*]`,
      'The processor reads uploaded files: objects under uploads/ of the blob bucket, named per tenant and upload at run time.',
    );
    // it invokes itself to go on with a large file (by name: a reference to itself would be circular)
    processor.addToRolePolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.formatArn({ service: 'lambda', resource: 'function', resourceName: processorName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })] }),
    );
    this.blobs.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(processor), { prefix: 'uploads/', suffix: '.csv' });
    this.functions.set('uploads.processor', processor);

    // ---- monitoring: alarms and one dashboard ----
    this.monitoring = new Monitoring(this, 'Monitoring', {
      stage: props.stage,
      api: this.api,
      functions: this.functions,
      streamConsumer: consumer,
      deadLetterQueues: [streamDlq, uploadFailures],
      schedules: [reportRule, sweepRule, reconcileRule],
      alarmEmail: props.alarmEmail,
    });

    // CDK's own helper function (it sets the bucket's notifications at deploy time) is not ours to configure
    for (const child of this.node.children) {
      if (!child.node.id.startsWith('BucketNotificationsHandler')) continue;
      acknowledge(
        child,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        "CDK's bucket-notification handler uses AWSLambdaBasicExecutionRole (it only configures the bucket's notifications at deploy time).",
      );
    }

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'BlobBucket', { value: this.blobs.bucketName });
    new CfnOutput(this, 'EventBus', { value: this.bus.eventBusName });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'UploadProcessorName', { value: processor.functionName });
    new CfnOutput(this, 'Dashboard', { value: this.monitoring.dashboardName });
  }

  /** The findings every function of ours carries, each with its reason. */
  private acknowledgeFunction(f: NodejsFunction) {
    acknowledge(
      f,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'The basic execution role only lets the function write its own CloudWatch logs.',
    );
    acknowledge(
      f,
      `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.table.node.defaultChild as never)}.Arn>/index/*]`,
      "Reads query the table's own indexes (GSI1–GSI3); the wildcard covers only this table's indexes.",
    );
    acknowledge(f, 'AwsSolutions-IAM5[Action::s3:GetObject*]', 'Read access to the blob bucket: GetObject and its variants (tags, versions) on this bucket only.');
    acknowledge(f, 'AwsSolutions-IAM5[Action::s3:GetBucket*]', 'Read access to the blob bucket: bucket location and versioning, this bucket only.');
    acknowledge(f, 'AwsSolutions-IAM5[Action::s3:List*]', 'Read access to the blob bucket: listing this bucket only.');
    acknowledge(f, 'AwsSolutions-IAM5[Action::s3:DeleteObject*]', 'Write access to the blob bucket: replacing and removing objects of this bucket only.');
    acknowledge(f, 'AwsSolutions-IAM5[Action::s3:Abort*]', 'Write access to the blob bucket: aborting multipart uploads of this bucket only.');
    acknowledge(
      f,
      `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.blobs.node.defaultChild as never)}.Arn>/*]`,
      'Objects of the blob bucket (reports/, uploads/): the keys are per tenant and made at run time.',
    );
  }
}

const functionDefaults = {
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
  },
};

/** The files a route serves (route table `assets`; lib/served-files.ts), copied beside its bundle after esbuild ran. */
function copyAssets(assets: readonly string[]) {
  const files = servedFiles(assets);
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_input: string, output: string) => files.map((f) => `cp "${f.path}" "${output}/${f.name}"`),
  };
}

/** What a function may do to the table, from its declaration (lib/access.ts; the local DynamoDB front enforces the same). */
export function grantTable(table: TableV2, f: NodejsFunction, access: TableAccessDeclaration) {
  const grant = tableGrant(access);
  if (!grant) return;
  f.addToRolePolicy(
    new PolicyStatement({
      actions: grant.actions.map((a) => `dynamodb:${a}`),
      resources: grant.indexes ? [table.tableArn, `${table.tableArn}/index/*`] : [table.tableArn],
    }),
  );
}

/** Least privilege, declared next to the route in the route table: its table, blob and event access. */
function grantRoute(stack: InventoryStack, handler: NodejsFunction, route: Route) {
  grantTable(stack.table, handler, route.access);
  if (route.blobs === 'read') stack.blobs.grantRead(handler);
  if (route.blobs === 'write') stack.blobs.grantReadWrite(handler);
  if (route.publishes) stack.bus.grantPutEventsTo(handler);
}
