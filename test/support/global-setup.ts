/**
 * One DynamoDB Local (in memory) for the whole test run, started by the run itself, with the
 * table created from the stack's definition. Test files isolate by tenant, not by table.
 */
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';
import { ensureTable } from '../../lib/local/table.ts';

export default async function globalSetup() {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const ddb = await startDynamoDbLocal();
  process.env.DYNAMODB_ENDPOINT = ddb.endpoint;
  process.env.TABLE_NAME = 'inventory-test';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  await ensureTable(ddb.endpoint, process.env.TABLE_NAME);
  (globalThis as any).__DDB__ = ddb;
}
