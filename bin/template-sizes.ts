/**
 * Resources and parameters per template of the synthesized app (the main stack and each nested
 * stack), against CloudFormation's limits of 500 resources and 200 parameters per template:
 * `npm run templates` (`-- --stage=prod`, `-- --extra-routes=60` to see the room test's app).
 */
import { App } from 'aws-cdk-lib';
import { InventoryStack } from '../lib/inventory-stack.ts';
import { settingsFrom } from '../lib/settings.ts';
import { templateSizes, withExtraRoutes } from '../lib/template-sizes.ts';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const app = new App({ context: { 'aws:cdk:bundling-stacks': [], stage: arg('stage') ?? 'dev' } });
const settings = settingsFrom(app.node);
const extra = Number(arg('extra-routes') ?? 0);
const stack = new InventoryStack(app, `Inventory-${settings.stage}`, { ...settings, ...(extra ? { routes: withExtraRoutes(extra) } : {}) });
for (const t of templateSizes(stack))
  console.log(`${t.path.padEnd(32)} ${String(t.resources).padStart(4)} resources  ${String(t.parameters).padStart(4)} parameters`);
