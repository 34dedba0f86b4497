/**
 * One DynamoDB Local (in memory) for the whole test run, started by the run itself, with the
 * table created from the stack's definition. Test files isolate by tenant, not by table.
 *
 * Every test reaches it through the DynamoDB front (lib/local/dynamo-front.ts) with IAM per
 * function and transaction conflicts on (DYNAMO_FRONT_IAM=0 / DYNAMO_FRONT_CONFLICTS=0 turn them
 * off; DYNAMO_FRONT=0 skips the front). DYNAMODB_LOCAL_ENDPOINT is DynamoDB Local itself, for tests
 * that start a front of their own.
 */
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';
import { startFrontFor } from '../../lib/local/dynamo-front.ts';
import { ensureTable } from '../../lib/local/table.ts';

export default async function globalSetup() {
  // jest runs each project's globalSetup: the integration and scale projects share the first one's
  if ((globalThis as any).__DDB__) return;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const ddb = await startDynamoDbLocal();
  process.env.DYNAMODB_LOCAL_ENDPOINT = ddb.endpoint;
  process.env.TABLE_NAME = 'inventory-test';
  process.env.POWERTOOLS_LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  // reconcile repairs a level as soon as it is read (the index here is never behind; the tests that
  // stage an index lag set their own quiet time)
  process.env.INVENTORY_REPAIR_QUIET_SECONDS ??= '0';
  await ensureTable(ddb.endpoint, process.env.TABLE_NAME);
  const front = process.env.DYNAMO_FRONT === '0' ? undefined : await startFrontFor(ddb.endpoint, { iam: true, conflicts: true, throughput: false });
  process.env.DYNAMODB_ENDPOINT = front?.endpoint ?? ddb.endpoint;
  (globalThis as any).__DDB__ = ddb;
  (globalThis as any).__FRONT__ = front;
}
