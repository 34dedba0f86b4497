/** The stack's operational side: cdk-nag, alarms, the dashboard (and the runbook's account of both), access logs, throttling, CORS, settings, limits. */
import { routeTable } from '../../lib/access.ts';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { routes } from '../../functions/routes.ts';
import type { InventoryStack } from '../../lib/inventory-stack.ts';
import { actionsOf as actionsIn, functionResource, makeStack as make } from '../support/stack.ts';

const makeStack = (context: Record<string, unknown> = {}) => make(context, 'Ops');
const dev = makeStack();
const template = Template.fromStack(dev);
/** Every setting away from its default, in one prod stack (each stack of ~70 functions takes seconds to build). */
let prodStack: InventoryStack | undefined;
const prod = () =>
  (prodStack ??= makeStack({
    stage: 'prod',
    alarmEmail: 'ops@example.com',
    throttleRate: 20,
    throttleBurst: 40,
    corsOrigins: 'https://a.example, https://b.example',
    authorizerCacheTtl: 0,
  }));
let prodTemplateMemo: Template | undefined;
const prodTemplate = () => (prodTemplateMemo ??= Template.fromStack(prod()));

// (transactions are authorised by the actions inside them: there is no separate TransactWriteItems action)
const WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

const actionsOf = (stack: InventoryStack, _t: Template, key: string) => actionsIn(stack, key);

test.each(['dev', 'prod'])('cdk-nag AWS Solutions checks: no unacknowledged finding (stage %s)', (stage) => {
  const stack = stage === 'dev' ? dev : prod();
  const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);
  const findings = report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
  expect(findings).toEqual([]);
});

test('every acknowledged finding carries a specific reason', () => {
  const reasons = dev.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules').flatMap((m) => Object.entries(m.data as Record<string, string>)));
  const ours = reasons.filter(([id]) => id.includes('AwsSolutions-'));
  expect(ours.length).toBeGreaterThan(0);
  for (const [, reason] of ours) {
    expect(reason.length).toBeGreaterThan(30);
  }
});

test('least privilege for every route: a read route has no write action, a public route no table action', () => {
  for (const r of routes) {
    const actions = actionsOf(dev, template, r.id);
    const table = actions.filter((a) => a.startsWith('dynamodb:'));
    if (r.access === 'none') expect(table).toEqual([]);
    if (r.access === 'read') {
      expect(table.length).toBeGreaterThan(0);
      for (const w of WRITES) expect(table).not.toContain(w);
      expect(table).not.toContain('dynamodb:Scan'); // nothing of ours scans
    }
    // a write route writes something (a Put, an Update or a Delete)
    if (r.access === 'write') expect(table.some((a) => WRITES.includes(a))).toBe(true);
    // nothing of ours sends a BatchWriteItem; the role grants exactly the route's `table` actions
    expect(table).not.toContain('dynamodb:BatchWriteItem');
    if (r.access !== 'none')
      expect([r.id, [...table].sort()]).toEqual([
        r.id,
        routeTable(r)!
          .actions.map((a) => `dynamodb:${a}`)
          .sort(),
      ]);
  }
  // the authorizer reads one key and records its last use: nothing else
  expect(
    actionsOf(dev, template, 'authorizer')
      .filter((a) => a.startsWith('dynamodb:'))
      .sort(),
  ).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
});

test('alarms: API 5xx rate, every function (errors + throttles), the DLQs, the stream iterator age, the three schedules; all notify the topic', () => {
  const monitoring = Template.fromStack(dev.monitoring);
  const alarms = Object.values(monitoring.findResources('AWS::CloudWatch::Alarm')) as any[];
  expect(alarms).toHaveLength(dev.functions.size + 1 + 1 + 2 + 1 + 3); // functions, 5xx rate, p99, two DLQs, iterator age, schedules
  const text = JSON.stringify(alarms);
  expect(text).toContain('100 * errors / requests');
  expect(text).toContain('IteratorAge');
  expect(text).toContain('ApproximateNumberOfMessagesVisible');
  expect(text.match(/FailedInvocations/g)?.length).toBe(3);
  expect(alarms.filter((a) => JSON.stringify(a).includes('errors + throttles'))).toHaveLength(dev.functions.size);
  for (const a of alarms) expect(a.Properties.AlarmActions).toHaveLength(1);
  monitoring.resourceCountIs('AWS::SNS::Subscription', 0);
  Template.fromStack(prod().monitoring).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
});

/** docs/runbook.md: a section by its heading, up to the next `## `; the names it puts in backticks. */
const RUNBOOK = readFileSync(resolve(import.meta.dirname, '../../docs/runbook.md'), 'utf8');
const runbookSection = (title: RegExp) => {
  const start = RUNBOOK.search(title);
  const next = RUNBOOK.slice(start + 1).search(/^## /m);
  return RUNBOOK.slice(start, next === -1 ? undefined : start + 1 + next);
};
const ticked = (text: string) => new Set([...text.matchAll(/`([A-Za-z0-9<>]+)`/g)].map((m) => m[1]!));

test('the runbook names every alarm the stack makes, and no other', () => {
  const alarms = dev.monitoring.alarms.map((a) => a.node.id);
  const text = runbookSection(/^## 1\. Alarms/m);
  const names = ticked(text);
  expect(text).toContain(`**${alarms.length} alarms**`);
  expect(text).toContain(`(${alarms.filter((a) => a.endsWith('ErrorsOrThrottles')).length} alarms)`);
  // a function's alarm is named in full, or by its function in the list of route functions
  const missing = alarms.filter((a) => !names.has(a) && !(a.endsWith('ErrorsOrThrottles') && names.has(a.slice(0, -'ErrorsOrThrottles'.length))));
  expect(missing).toEqual([]);
  const invented = [...names].filter((n) => /^[A-Z]\w*(ErrorsOrThrottles|Depth|FailedInvocations)$/.test(n) && !alarms.includes(n));
  expect(invented).toEqual([]);
  const list = /the (\d+) route functions[^:]*:([\s\S]*?)— each `<name>ErrorsOrThrottles`/.exec(text)!;
  const routeFunctions = dev.routeFamilies.flatMap((f) => [...f.functions.values()].map((fn) => fn.node.id)).sort();
  expect([Number(list[1]), [...ticked(list[2]!)].sort()]).toEqual([routeFunctions.length, routeFunctions]);
});

test("the runbook lists the dashboard's widgets, in order", () => {
  const body = Object.values(Template.fromStack(dev.monitoring).findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody;
  const flat = (v: any): string =>
    typeof v === 'string' ? v : Array.isArray(v) ? v.map(flat).join('') : v?.['Fn::Join'] ? v['Fn::Join'][1].map(flat).join(v['Fn::Join'][0]) : '';
  const titles = [...flat(body).matchAll(/"title":"([^"]+)"/g)].map((m) => m[1]!);
  expect(titles.length).toBeGreaterThan(0);
  const listed = [...runbookSection(/^## 7\. The dashboard/m).matchAll(/^\d+\. \*\*([^*]+)\*\*/gm)].map((m) => m[1]!);
  expect(listed).toEqual(titles);
});

test('one dashboard, in the monitoring stack', () => {
  Template.fromStack(dev.monitoring).resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  // and the route families' stacks (lib/route-family.ts): one per family
  template.resourceCountIs('AWS::CloudFormation::Stack', 1 + new Set(routes.map((r) => r.family)).size);
});

test('the API stage has access logs and throttling from context; CORS only when origins are given', () => {
  template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
    AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200, DetailedMetricsEnabled: true },
  });
  const api = Object.values(template.findResources('AWS::ApiGatewayV2::Api'))[0] as any;
  expect(api.Properties.CorsConfiguration).toBeUndefined();
  const custom = prodTemplate();
  custom.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 }) });
  custom.hasResourceProperties('AWS::ApiGatewayV2::Api', {
    CorsConfiguration: Match.objectLike({ AllowOrigins: ['https://a.example', 'https://b.example'], AllowHeaders: Match.arrayWith(['idempotency-key']) }),
  });
});

test('the authorizer cache TTL comes from context (60 s by default) and reaches the function', () => {
  const ttlOf = (s: InventoryStack, _t: Template) => functionResource(s, 'authorizer').Properties.Environment.Variables.AUTHORIZER_CACHE_TTL;
  expect(ttlOf(dev, template)).toBe('60');
  expect(ttlOf(prod(), prodTemplate())).toBe('0');
});

test('bad settings are refused with the setting named', () => {
  expect(() => makeStack({ stage: 'Prod!' })).toThrow(/stage/);
  expect(() => makeStack({ throttleRate: 'fast' })).toThrow(/throttleRate/);
  expect(() => makeStack({ authorizerCacheTtl: -1 })).toThrow(/authorizerCacheTtl/);
});

test('the blob bucket logs its access, expires uploads and old reports, and is kept outside dev', () => {
  template.hasResourceProperties('AWS::S3::Bucket', {
    LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'blobs/' }),
    LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Prefix: 'reports/' }), Match.objectLike({ Prefix: 'uploads/' })]) },
  });
  for (const b of Object.values(prodTemplate().findResources('AWS::S3::Bucket')) as any[]) expect(b.DeletionPolicy).toBe('Retain');
});

test('uploads: the bucket notifies the processor for uploads/*.csv; it reads only uploads, writes the table, re-invokes only itself, with a DLQ', () => {
  template.hasResourceProperties('Custom::S3BucketNotifications', {
    NotificationConfiguration: {
      LambdaFunctionConfigurations: [
        Match.objectLike({
          Events: ['s3:ObjectCreated:*'],
          Filter: {
            Key: {
              FilterRules: Match.arrayWith([
                { Name: 'suffix', Value: '.csv' },
                { Name: 'prefix', Value: 'uploads/' },
              ]),
            },
          },
        }),
      ],
    },
  });
  const fn = functionResource(dev, 'uploads.processor');
  expect(fn.Properties.Timeout).toBe(900);
  expect(fn.Properties.DeadLetterConfig).toBeDefined();
  const actions = actionsOf(dev, template, 'uploads.processor');
  expect(actions).toEqual(expect.arrayContaining(['dynamodb:UpdateItem', 'lambda:InvokeFunction', 's3:GetObject', 's3:ListBucket']));
  expect(actions.some((a) => a.startsWith('s3:Put') || a.startsWith('s3:Delete'))).toBe(false);
  const policy = JSON.stringify(Object.values(template.findResources('AWS::IAM::Policy')));
  expect(policy).toContain('upload-processor');
});
