/** The stack as the infra tests read it: synthesized without bundling, each template read once. */
import { App, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { routes as routeTable } from '../../functions/routes.ts';
import type { Route } from '../../functions/routes.ts';
import { functionName } from '../../lib/functions.ts';
import { InventoryStack } from '../../lib/inventory-stack.ts';
import { settingsFrom } from '../../lib/settings.ts';

/** A stack as `cdk synth -c …` would make it, without bundling (the bundles have their own test). */
export function makeStack(context: Record<string, unknown> = {}, id = 'Test', routes?: readonly Route[]) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const settings = settingsFrom(app.node);
  return new InventoryStack(app, `${id}-${settings.stage}`, { ...settings, ...(routes ? { routes } : {}) });
}

const templates = new WeakMap<Stack, Template>();
/** A stack's own template (a nested stack's too), synthesized once. */
export const templateOf = (s: Stack) => {
  let t = templates.get(s);
  if (!t) templates.set(s, (t = Template.fromStack(s)));
  return t;
};

/** The main template and every nested one. */
export const allTemplates = (stack: InventoryStack) =>
  [stack, ...stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack)].map(templateOf);

/** Resources of one type across every template. */
export const resourcesOfType = (stack: InventoryStack, type: string) => allTemplates(stack).flatMap((t) => Object.values(t.findResources(type)) as any[]);

/** Every IAM statement of the role a function runs with (by route id, or `authorizer`, `stream`, …). */
export function statementsOf(stack: InventoryStack, key: string): any[] {
  const f = stack.functions.get(key);
  if (!f) throw new Error(`no function ${key}`);
  const owner = Stack.of(f);
  const t = templateOf(owner);
  const fnId = owner.getLogicalId(f.node.defaultChild as never);
  const roleRef = t.findResources('AWS::Lambda::Function')[fnId].Properties.Role['Fn::GetAtt'][0];
  return Object.values(t.findResources('AWS::IAM::Policy'))
    .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === roleRef))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

/** Every action granted to the role of a function. */
export const actionsOf = (stack: InventoryStack, key: string): string[] => statementsOf(stack, key).flatMap((st) => [].concat(st.Action));

/** A function's properties in its template. */
export function functionResource(stack: InventoryStack, key: string): any {
  const f = stack.functions.get(key)!;
  const owner = Stack.of(f);
  return templateOf(owner).findResources('AWS::Lambda::Function')[owner.getLogicalId(f.node.defaultChild as never)];
}

/** A function's name (lib/functions.ts) → its key in the stack's `functions` map: a route's id, or the service function's own key. */
export const STACK_KEYS: Record<string, string> = {
  Authorizer: 'authorizer',
  StreamConsumer: 'stream',
  LowStockReport: 'scheduled.report',
  ExpireReservations: 'scheduled.expiry',
  Reconcile: 'scheduled.reconcile',
  UploadProcessor: 'uploads.processor',
  ...Object.fromEntries(routeTable.map((r) => [functionName(r), r.id])),
};
