/** The stack, proven by its synthesized template (no AWS account here). Bundling is skipped. */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { routes } from '../../functions/routes.ts';
import { TABLE } from '../../lib/table-definition.ts';
import { tableGrants } from '../../lib/functions.ts';
import { actionsOf as actionsIn, makeStack, resourcesOfType, STACK_KEYS, statementsOf } from '../support/stack.ts';

const synth = (stage: string) => Template.fromStack(makeStack({ stage }));
// one dev stack for every test that reads it (each stack of ~70 functions takes seconds to build)
const dev = makeStack({ stage: 'dev' });
const template = Template.fromStack(dev);

const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

/** Every action granted to the role of the function behind a route (or of a function that is not one). */
const actionsOf = (routeId: string) => actionsIn(dev, routeId);

test('one function per route of the route table, plus the authorizer, the stream consumer, three scheduled jobs and the upload processor', () => {
  const fns = resourcesOfType(dev, 'AWS::Lambda::Function').filter((f: any) => f.Properties.Environment?.Variables?.TABLE_NAME);
  expect(fns).toHaveLength(routes.length + 6);
  for (const f of fns as any[]) {
    expect(f.Properties.Architectures).toEqual(['arm64']);
    expect(f.Properties.Runtime).toBe('nodejs24.x');
    // tracing is off (nothing traces): no X-Ray segments, no X-Ray rights
    expect(f.Properties.TracingConfig?.Mode ?? 'PassThrough').toBe('PassThrough');
    expect(f.Properties.Environment.Variables.TABLE_NAME).toBeDefined();
  }
});

test('every route is wired with its method and path; all but the public ones go through the key authorizer', () => {
  const apiRoutes = resourcesOfType(dev, 'AWS::ApiGatewayV2::Route');
  expect(apiRoutes).toHaveLength(routes.length);
  for (const r of routes) {
    const found = apiRoutes.find((a) => a.Properties.RouteKey === `${r.method} ${r.path}`);
    expect(found).toBeDefined();
    expect(found.Properties.AuthorizationType).toBe(r.scope === 'public' ? 'NONE' : 'CUSTOM');
  }
  template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'REQUEST', EnableSimpleResponses: true });
});

test('the table is the shared definition: keys, indexes, stream, TTL, point-in-time recovery, on demand', () => {
  template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: TABLE.indexes.map((i) => Match.objectLike({ IndexName: i.name })),
    StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
    BillingMode: 'PAY_PER_REQUEST',
    Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
  });
});

test('the table is kept and protected outside dev', () => {
  const prod = synth('prod');
  const [table] = Object.values(prod.findResources('AWS::DynamoDB::GlobalTable')) as any[];
  expect(table.DeletionPolicy).toBe('Retain');
  expect(table.Properties.Replicas[0].DeletionProtectionEnabled).toBe(true);
  const [devTable] = Object.values(template.findResources('AWS::DynamoDB::GlobalTable')) as any[];
  expect(devTable.DeletionPolicy).toBe('Delete');
});

test('least privilege: a read route gets no write action; a write route may write; a public route gets no table access', () => {
  const read = actionsOf('admin.items.list');
  expect(read).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:GetItem']));
  for (const a of WRITE_ACTIONS) expect(read).not.toContain(a);
  // a write route gets the writes it sends, no more: a reservation is put and its level updated, nothing deleted
  expect(actionsOf('admin.reservations.create')).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem']));
  expect(actionsOf('admin.reservations.create')).not.toContain('dynamodb:DeleteItem');
  expect(actionsOf('admin.reservations.create')).not.toContain('dynamodb:BatchWriteItem');
  expect(actionsOf('meta.health').filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
});

test('the stream consumer reads the table stream with partial batch failures, bisecting, bounded retries and a DLQ', () => {
  template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    BisectBatchOnFunctionError: true,
    MaximumRetryAttempts: 5,
    MaximumRecordAgeInSeconds: 21600,
    BatchSize: 100,
    StartingPosition: 'TRIM_HORIZON',
    DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
  });
});

test('the report, the expiry sweep and the reconcile run on schedules; the bucket is encrypted, private and TLS-only', () => {
  const rules = Object.values(template.findResources('AWS::Events::Rule')) as any[];
  expect(rules.map((r) => r.Properties.ScheduleExpression).sort()).toEqual(['cron(0 5 * * ? *)', 'cron(30 5 * * ? *)', 'rate(1 minute)']);
  template.hasResourceProperties('AWS::S3::Bucket', {
    BucketEncryption: Match.objectLike({}),
    PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
  });
  const policies = Object.values(template.findResources('AWS::S3::BucketPolicy')) as any[];
  expect(JSON.stringify(policies)).toContain('aws:SecureTransport');
});

test('only the report and upload routes touch the bucket, each on its own prefix and with the one action it needs; only publishers publish', () => {
  const blobStatements = (id: string) =>
    statementsOf(dev, id)
      .filter((st) => [].concat(st.Action).some((a: string) => a.startsWith('s3:')))
      .map((st) => ({ action: st.Action, resource: JSON.stringify(st.Resource), prefix: st.Condition?.StringLike?.['s3:prefix'] }));
  for (const r of routes) {
    const actions = actionsOf(r.id);
    expect(actions.some((a) => a.startsWith('s3:'))).toBe(!!r.blobs);
    expect(actions.includes('events:PutEvents')).toBe(!!r.publishes);
    const expected = [
      ...(r.blobs?.get
        ? [
            { action: 's3:GetObject', resource: expect.stringContaining(`/${r.blobs.get}*`), prefix: undefined },
            // on the bucket, unconditioned: a missing key answers 404 only then (lib/roles.ts)
            { action: 's3:ListBucket', resource: expect.not.stringContaining('/'), prefix: undefined },
          ]
        : []),
      ...(r.blobs?.put ? [{ action: 's3:PutObject', resource: expect.stringContaining(`/${r.blobs.put}*`), prefix: undefined }] : []),
    ];
    expect([r.id, blobStatements(r.id)]).toEqual([r.id, expected]);
  }
  expect(routes.filter((r) => r.blobs).map((r) => `${r.id} ${JSON.stringify(r.blobs)}`)).toEqual([
    'uploads.create {"put":"uploads/"}',
    'reports.latest {"get":"reports/"}',
    'reports.create {"put":"reports/"}',
    'reports.get {"get":"reports/"}',
  ]);
  expect(actionsOf('stream')).toEqual(expect.arrayContaining(['events:PutEvents', 'dynamodb:UpdateItem', 'dynamodb:BatchGetItem']));
});

test("every function's table grant is its declaration, the one the local DynamoDB front enforces (lib/functions.ts tableGrants)", () => {
  for (const [name, grant] of tableGrants()) {
    const dynamo = actionsOf(STACK_KEYS[name])
      // the stream's own actions (the event source mapping's) are not table access
      .filter((a: string) => a.startsWith('dynamodb:') && !/Stream|GetRecords|GetShardIterator/.test(a))
      .sort();
    expect([name, dynamo]).toEqual([name, (grant?.actions ?? []).map((a) => `dynamodb:${a}`).sort()]);
  }
});

test('before a sale: warm throughput on the table and every index, and an on-demand maximum, from context; none by default', () => {
  const table = (t: Template) => Object.values(t.findResources('AWS::DynamoDB::GlobalTable'))[0] as any;
  const plain = table(template).Properties;
  expect(plain.WarmThroughput).toBeUndefined();
  expect(plain.WriteOnDemandThroughputSettings ?? plain.Replicas?.[0]?.ReadOnDemandThroughputSettings).toBeUndefined();
  const sale = table(
    Template.fromStack(makeStack({ stage: 'dev', warmReadUnits: 30000, warmWriteUnits: 12000, maxReadUnits: 60000, maxWriteUnits: 20000 }, 'Sale')),
  ).Properties;
  expect(sale.WarmThroughput).toEqual({ ReadUnitsPerSecond: 30000, WriteUnitsPerSecond: 12000 });
  expect(sale.GlobalSecondaryIndexes.map((i: any) => i.WarmThroughput)).toEqual(
    TABLE.indexes.map(() => ({ ReadUnitsPerSecond: 30000, WriteUnitsPerSecond: 12000 })),
  );
  expect(JSON.stringify(sale)).toContain('"MaxWriteRequestUnits":20000');
  expect(JSON.stringify(sale)).toContain('"MaxReadRequestUnits":60000');
  // AWS refuses warm throughput below a new table's 12,000 / 4,000, and takes read and write together
  expect(() => makeStack({ stage: 'dev', warmReadUnits: 1000, warmWriteUnits: 4000 }, 'Low')).toThrow(/warmReadUnits must be a number ≥ 12000/);
  expect(() => makeStack({ stage: 'dev', warmWriteUnits: 8000 }, 'Half')).toThrow(/go together/);
});
