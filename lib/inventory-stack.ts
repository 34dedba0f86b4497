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
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { routes } from '../functions/routes.ts';
import type { Route } from '../functions/routes.ts';
import { TABLE } from './table-definition.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface InventoryStackProps extends StackProps {
  stage: string;
}

export class InventoryStack extends Stack {
  readonly table: TableV2;
  readonly api: HttpApi;
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

    // ---- functions: one per route, and the authorizer ----
    const fn = (name: string, entry: string) =>
      new NodejsFunction(this, name, {
        ...functionDefaults,
        entry: resolve(ROOT, entry),
        environment: {
          TABLE_NAME: this.table.tableName,
          POWERTOOLS_SERVICE_NAME: 'inventory',
          NODE_OPTIONS: '--enable-source-maps',
        },
      });

    const authorizerFn = fn('Authorizer', 'functions/authorizer/handler.ts');
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
      this.functions.set(route.id, handler);
      this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${functionName(route)}Integration`, handler),
        authorizer: route.scope === 'public' ? undefined : authorizer,
      });
    }

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
  }
}

const functionDefaults: Partial<NodejsFunctionProps> = {
  runtime: Runtime.NODEJS_22_X,
  architecture: Architecture.ARM_64,
  memorySize: 1024,
  timeout: Duration.seconds(10),
  logRetention: RetentionDays.ONE_MONTH,
  bundling: {
    format: OutputFormat.ESM,
    minify: true,
    sourceMap: true,
    target: 'node22',
    mainFields: ['module', 'main'],
    // the AWS SDK v3 is in the Lambda runtime, but bundling our pinned version keeps behaviour identical to the tests
    externalModules: [],
    banner: "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);",
  },
};

/** `admin.items.list` → `AdminItemsList` */
const functionName = (route: Route) =>
  route.id
    .split(/[.-]/)
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');

/** Least privilege, declared next to the route in the route table. */
function grant(table: TableV2, handler: NodejsFunction, route: Route) {
  if (route.access === 'read') table.grantReadData(handler);
  else if (route.access === 'write') table.grantReadWriteData(handler);
}
