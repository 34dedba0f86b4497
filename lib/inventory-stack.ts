/**
 * The deployable service, read top-down: the table, the functions (one per route of the route
 * table, each granted exactly the table access its route declares), and the HTTP API with the
 * key authorizer. Stream consumer, schedules, storage and alarms come with their own issues.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, Billing, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';

import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Architecture, Runtime, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { resolve } from 'node:path';
import { routes } from '../functions/routes.ts';
import type { Route } from '../functions/routes.ts';
import { TABLE } from './table-definition.ts';
import { BUNDLING, ROOT } from './bundling.ts';
import { SERVICE_FUNCTIONS, functionName } from './functions.ts';


export interface InventoryStackProps extends StackProps {
  stage: string;
}

export class InventoryStack extends Stack {
  readonly table: TableV2;
  readonly api: HttpApi;
  readonly blobs: Bucket;
  readonly bus: EventBus;
  readonly functions = new Map<string, NodejsFunction>();

  constructor(scope: Construct, id: string, props: InventoryStackProps) {
    super(scope, id, props);
    const durable = props.stage !== 'dev';

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
      removalPolicy: durable ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    // ---- storage for reports (and later uploads), and the event bus ----
    this.blobs = new Bucket(this, 'Blobs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: durable,
      lifecycleRules: [{ prefix: 'reports/', expiration: Duration.days(400) }],
      removalPolicy: durable ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: !durable,
    });
    this.bus = new EventBus(this, 'Bus', { eventBusName: `inventory-${props.stage}` });

    // ---- functions: one per route, the authorizer, the stream consumer, the scheduled jobs ----
    const fn = (name: string, entry: string, timeout?: Duration) =>
      new NodejsFunction(this, name, {
        ...functionDefaults,
        ...(timeout ? { timeout } : {}),
        logGroup: new LogGroup(this, `${name}Logs`, { retention: RetentionDays.ONE_MONTH, removalPolicy: durable ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY }),
        entry: resolve(ROOT, entry),
        environment: {
          TABLE_NAME: this.table.tableName,
          BLOB_BUCKET: this.blobs.bucketName,
          EVENT_BUS_NAME: this.bus.eventBusName,
          POWERTOOLS_SERVICE_NAME: 'inventory',
          NODE_OPTIONS: '--enable-source-maps',
        },
      });

    const authorizerFn = fn('Authorizer', SERVICE_FUNCTIONS.Authorizer);
    this.table.grantReadData(authorizerFn);
    // it records a key's last use (at most hourly): that one write, nothing else
    authorizerFn.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:UpdateItem'], resources: [this.table.tableArn] }));
    // No identity source: a key may come in either of two headers, and API Gateway would refuse a
    // request lacking a listed one before our 401. Without one, results are not cached (TTL 0).
    const authorizer = new HttpLambdaAuthorizer('KeyAuthorizer', authorizerFn, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: [],
      resultsCacheTtl: Duration.seconds(0),
    });

    this.api = new HttpApi(this, 'Api', { apiName: `inventory-${props.stage}`, createDefaultStage: true });
    for (const route of routes) {
      const handler = fn(functionName(route), route.handler);
      grant(this.table, handler, route);
      if (route.blobs === 'read') this.blobs.grantRead(handler);
      if (route.blobs === 'write') this.blobs.grantReadWrite(handler);
      if (route.publishes) this.bus.grantPutEventsTo(handler);
      this.functions.set(route.id, handler);
      this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${functionName(route)}Integration`, handler),
        authorizer: route.scope === 'public' ? undefined : authorizer,
      });
    }

    // the stream consumer: low-stock flags and status events
    const consumer = fn('StreamConsumer', SERVICE_FUNCTIONS.StreamConsumer, Duration.seconds(60));
    consumer.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resources: [this.table.tableArn] }));
    this.bus.grantPutEventsTo(consumer);
    const streamDlq = new Queue(this, 'StreamFailures', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
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

    // scheduled: the daily low-stock report, and the reservation expiry sweep every minute
    const report = fn('LowStockReport', SERVICE_FUNCTIONS.LowStockReport, Duration.minutes(5));
    this.table.grantReadWriteData(report);
    this.blobs.grantReadWrite(report);
    this.bus.grantPutEventsTo(report);
    new Rule(this, 'DailyReport', { schedule: Schedule.cron({ minute: '0', hour: '5' }), targets: [new LambdaFunction(report)] });
    const sweeper = fn('ExpireReservations', SERVICE_FUNCTIONS.ExpireReservations, Duration.seconds(55));
    this.table.grantReadWriteData(sweeper);
    new Rule(this, 'ExpirySweep', { schedule: Schedule.rate(Duration.minutes(1)), targets: [new LambdaFunction(sweeper)] });
    this.functions.set('scheduled.report', report);
    this.functions.set('scheduled.expiry', sweeper);

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'BlobBucket', { value: this.blobs.bucketName });
    new CfnOutput(this, 'EventBus', { value: this.bus.eventBusName });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
  }
}

const functionDefaults: Partial<NodejsFunctionProps> = {
  runtime: Runtime.NODEJS_22_X,
  architecture: Architecture.ARM_64,
  memorySize: 1024,
  timeout: Duration.seconds(10),
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

/** Least privilege, declared next to the route in the route table. */
function grant(table: TableV2, handler: NodejsFunction, route: Route) {
  if (route.access === 'read') table.grantReadData(handler);
  else if (route.access === 'write') table.grantReadWriteData(handler);
}
