/**
 * The deployable service, read top-down: table → storage and events → HTTP API with the key
 * authorizer → the routes, one function each, in one nested stack per route family (lib/route-family.ts),
 * each function running with the role of its access class (lib/roles.ts) → stream consumer →
 * schedules → uploads → monitoring. Settings come from CDK context
 * (lib/settings.ts); nothing here names a route: a route added to the table is deployed as it is.
 */
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { CfnStage, CorsHttpMethod, HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { AttributeType, Billing, ProjectionType, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, EventType, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, CORS_MAX_AGE_SECONDS } from './cors.ts';
import type { Construct } from 'constructs';
import { routes } from '../functions/routes.ts';
import type { Route } from '../functions/routes.ts';
import { TABLE } from './table-definition.ts';
import { SERVICE_ACCESS, SERVICE_FUNCTIONS } from './functions.ts';
import type { ServiceFunction } from './functions.ts';
import { makeFunction } from './function-factory.ts';
import type { FunctionOptions, SharedResources } from './function-factory.ts';
import { Monitoring } from './monitoring.ts';
import { acknowledge } from './nag.ts';
import { MAX_ROUTES_PER_STACK, RouteFamily, familyStackId } from './route-family.ts';
import { Roles } from './roles.ts';
import { STREAM_SOURCE } from './stream-source.ts';
import type { StackSettings } from './settings.ts';

export { acknowledge };

export type InventoryStackProps = StackProps &
  StackSettings & {
    /** The routes to deploy: the route table (functions/routes.ts). Only the room test passes more. */
    routes?: readonly Route[];
  };

export class InventoryStack extends Stack {
  readonly table: TableV2;
  readonly api: HttpApi;
  readonly blobs: Bucket;
  readonly bus: EventBus;
  /** Every function, by route id (or `authorizer`, `stream`, `scheduled.report`, `scheduled.expiry`, `uploads.processor`). */
  readonly functions = new Map<string, NodejsFunction>();
  readonly monitoring: Monitoring;
  /** The route families' nested stacks (lib/route-family.ts). */
  readonly routeFamilies: RouteFamily[] = [];

  constructor(scope: Construct, id: string, props: InventoryStackProps) {
    super(scope, id, props);
    const durable = props.stage !== 'dev';
    const removalPolicy = durable ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // ---- the table (one definition, shared with the local runtime) ----
    const cap = props.table;
    const warmThroughput = cap.warmReadUnits ? { readUnitsPerSecond: cap.warmReadUnits, writeUnitsPerSecond: cap.warmWriteUnits } : undefined;
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      globalSecondaryIndexes: TABLE.indexes.map((i) => ({
        indexName: i.name,
        partitionKey: { name: i.partitionKey, type: AttributeType.STRING },
        sortKey: { name: i.sortKey, type: AttributeType.STRING },
        // no attribute a stock change writes (lib/table-definition.ts INDEX_ATTRIBUTES): reservations write no index partition
        projectionType: ProjectionType.INCLUDE,
        nonKeyAttributes: [...i.projection],
        ...(warmThroughput ? { warmThroughput } : {}),
      })),
      timeToLiveAttribute: TABLE.ttlAttribute,
      dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES,
      billing: Billing.onDemand({ maxReadRequestUnits: cap.maxReadUnits, maxWriteRequestUnits: cap.maxWriteUnits }),
      ...(warmThroughput ? { warmThroughput } : {}),
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

    // ---- functions: the authorizer, the stream consumer, the scheduled jobs here; the routes' in their families' stacks ----
    const shared: SharedResources = { table: this.table, blobs: this.blobs, bus: this.bus, removalPolicy };
    const roles = new Roles(this, shared);
    const fn = (name: ServiceFunction, opts: Omit<FunctionOptions, 'role'> = {}, own?: boolean) => {
      const declared = SERVICE_ACCESS[name];
      const role = roles.for({
        access: declared.access,
        table: declared.table,
        blobs: declared.blobs,
        publishes: declared.publishes,
        ...(own ? { own: name } : {}),
      });
      return makeFunction(this, name, SERVICE_FUNCTIONS[name], shared, { ...opts, role });
    };

    const authorizerFn = fn('Authorizer', { environment: { AUTHORIZER_CACHE_TTL: String(props.authorizerCacheTtl) } });
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
            // lib/cors.ts: the local server answers from the same definition (INVENTORY_CORS_ORIGINS)
            corsPreflight: {
              allowOrigins: props.corsOrigins,
              allowMethods: CORS_ALLOW_METHODS.map((m) => CorsHttpMethod[m]),
              allowHeaders: [...CORS_ALLOW_HEADERS],
              maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
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

    // every route of the route table, in its family's nested stack (lib/route-family.ts: room under the 500-resource limit)
    const routeTable = props.routes ?? routes;
    for (const family of [...new Set(routeTable.map((r) => r.family))]) {
      // a family of more than MAX_ROUTES_PER_STACK routes continues in a second nested stack (FamilyRoutes2, …)
      const familyRoutes = routeTable.filter((r) => r.family === family);
      for (let k = 0; k * MAX_ROUTES_PER_STACK < familyRoutes.length; k++) {
        const stack = new RouteFamily(this, `${familyStackId(family)}${k ? k + 1 : ''}`, {
          family,
          routes: familyRoutes.slice(k * MAX_ROUTES_PER_STACK, (k + 1) * MAX_ROUTES_PER_STACK),
          shared,
          api: this.api,
          authorizer,
        });
        this.routeFamilies.push(stack);
        for (const [id, f] of stack.functions) this.functions.set(id, f);
      }
    }

    // ---- the stream consumer: low-stock flags and status events ----
    const consumer = fn('StreamConsumer', { timeout: Duration.seconds(60) });
    const streamDlq = new Queue(this, 'StreamFailures', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    acknowledge(streamDlq, 'AwsSolutions-SQS3', 'This queue is the dead-letter destination of the stream consumer; it has no queue of its own to fail into.');
    consumer.addEventSource(
      new DynamoEventSource(this.table as never, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: STREAM_SOURCE.batchSize,
        bisectBatchOnError: STREAM_SOURCE.bisectBatchOnError,
        retryAttempts: STREAM_SOURCE.retryAttempts,
        maxRecordAge: Duration.hours(STREAM_SOURCE.maxRecordAgeHours),
        reportBatchItemFailures: STREAM_SOURCE.reportBatchItemFailures,
        onFailure: new SqsDlq(streamDlq),
      }),
    );
    this.functions.set('stream', consumer);

    // ---- schedules: the daily low-stock report, and the reservation expiry sweep every minute ----
    const report = fn('LowStockReport', { timeout: Duration.minutes(5) });
    const reportRule = new Rule(this, 'DailyReport', {
      schedule: Schedule.cron({ minute: '0', hour: '5' }),
      targets: [new LambdaFunction(report, { retryAttempts: 2 })],
    });
    const sweeper = fn('ExpireReservations', { timeout: Duration.seconds(55) });
    const sweepRule = new Rule(this, 'ExpirySweep', {
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(sweeper, { retryAttempts: 0 })],
    });
    this.functions.set('scheduled.report', report);
    this.functions.set('scheduled.expiry', sweeper);
    // the daily reconcile in report mode (drifts published, nothing changed), after the report
    const reconciler = fn('Reconcile', { timeout: Duration.minutes(15) });
    const reconcileRule = new Rule(this, 'DailyReconcile', {
      schedule: Schedule.cron({ minute: '30', hour: '5' }),
      targets: [new LambdaFunction(reconciler, { retryAttempts: 2 })],
    });
    this.functions.set('scheduled.reconcile', reconciler);

    // ---- CSV uploads: the bucket's ObjectCreated (uploads/) starts the processor; it continues itself ----
    const uploadFailures = new Queue(this, 'UploadFailures', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    acknowledge(uploadFailures, 'AwsSolutions-SQS3', 'This queue is the dead-letter queue of the upload processor; it has no queue of its own to fail into.');
    const processorName = `inventory-${props.stage}-upload-processor`;
    const processor = fn(
      'UploadProcessor',
      { timeout: Duration.minutes(15), extra: { functionName: processorName, deadLetterQueue: uploadFailures, retryAttempts: 2 } },
      true,
    );
    // it invokes itself to go on with a large file (by name: a reference to itself would be circular)
    processor.addToRolePolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.formatArn({ service: 'lambda', resource: 'function', resourceName: processorName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      }),
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
}
