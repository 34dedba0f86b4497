/** Low-stock report records (the files themselves are blobs) and the tenant directory. */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName, writeItem } from './db.ts';
import { Report } from './entities.ts';
import * as keys from './key-builders.ts';
import { strip } from './keys.ts';
import { queryPartition } from './query.ts';

export interface ReportRecord {
  id: string;
  tenant_id: string;
  created_at: string;
  rows: number;
  /** Items DynamoDB read to make it (the flagged levels, plus their items). */
  items_read: number;
  json_key: string;
  csv_key: string;
}

export async function putReport(tenant: string, r: ReportRecord): Promise<void> {
  await writeItem({
    Put: {
      TableName: tableName(),
      Item: Report.row(tenant, r),
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  });
}

export async function latestReport(tenant: string): Promise<ReportRecord | undefined> {
  const res = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.reportsPartition(tenant) },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  return res.Items?.[0] ? strip<ReportRecord>(res.Items[0]) : undefined;
}

/** Report ids are `rep_<created_at as digits>_<random>`, so the id finds its row with one GetItem. */
export async function getReport(tenant: string, id: string): Promise<ReportRecord | undefined> {
  const m = /^rep_(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)(\d{3})Z_[A-Za-z0-9]+$/.exec(id);
  if (!m) return undefined;
  const createdAt = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`;
  const res = await db().send(new GetCommand({ TableName: tableName(), Key: keys.report(tenant, createdAt, id), ConsistentRead: true }));
  return res.Item ? strip<ReportRecord>(res.Item) : undefined;
}

export async function tenants(): Promise<string[]> {
  const rows = await queryPartition(keys.tenantDirectory('').GSI1PK, { index: 'GSI1', projection: ['GSI1SK'] });
  return rows.map((r) => String(r.GSI1SK));
}
