/** The CDK app: `npx cdk synth` (offline) / `npx cdk deploy -c stage=prod`. */
import { App } from 'aws-cdk-lib';
import { InventoryStack } from '../lib/inventory-stack.ts';

const app = new App();
const stage = String(app.node.tryGetContext('stage') ?? 'dev');
new InventoryStack(app, `Inventory-${stage}`, { stage });
