/** The CDK app: `npx cdk synth` (offline) / `npx cdk deploy -c stage=prod`. Settings: lib/settings.ts. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { InventoryStack } from '../lib/inventory-stack.ts';
import { settingsFrom } from '../lib/settings.ts';

const app = new App();
const settings = settingsFrom(app.node);
new InventoryStack(app, `Inventory-${settings.stage}`, settings);
// cdk-nag's AWS Solutions rules on every synth: an unacknowledged finding fails it
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
