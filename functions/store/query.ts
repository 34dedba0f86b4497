import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from './db.ts';

type Row = Record<string, unknown>;

/** Every page of a Query (bounded by the caller's key condition, never a Scan). */
export async function queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Row[]> {
  const rows: Row[] = [];
  let ExclusiveStartKey: Row | undefined;
  do {
    const page = await db().send(new QueryCommand({ TableName: tableName(), ...input, ExclusiveStartKey }));
    rows.push(...((page.Items ?? []) as Row[]));
    ExclusiveStartKey = page.LastEvaluatedKey as Row | undefined;
  } while (ExclusiveStartKey);
  return rows;
}

/** Query one partition (optionally one index). */
export function queryPartition(pk: string, opts: { index?: 'GSI1' | 'GSI2'; skPrefix?: string; consistent?: boolean; projection?: string[] } = {}) {
  const pkName = opts.index ? `${opts.index}PK` : 'PK';
  const skName = opts.index ? `${opts.index}SK` : 'SK';
  const names: Record<string, string> = { '#pk': pkName };
  const values: Row = { ':pk': pk };
  let cond = '#pk = :pk';
  if (opts.skPrefix) {
    names['#sk'] = skName;
    values[':sk'] = opts.skPrefix;
    cond += ' AND begins_with(#sk, :sk)';
  }
  let ProjectionExpression: string | undefined;
  if (opts.projection) {
    ProjectionExpression = opts.projection.map((p, i) => `#p${i}`).join(', ');
    opts.projection.forEach((p, i) => (names[`#p${i}`] = p));
  }
  return queryAll({
    IndexName: opts.index,
    KeyConditionExpression: cond,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ConsistentRead: opts.index ? undefined : (opts.consistent ?? true),
    ProjectionExpression,
  });
}

/** BatchGet any number of keys (chunks of 100, unprocessed keys retried); order not kept. */
export async function batchGet(keys: { PK: string; SK: string }[]): Promise<Row[]> {
  const out: Row[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let pending: Row[] | undefined = keys.slice(i, i + 100);
    for (let attempt = 0; pending && pending.length; attempt++) {
      const res = await db().send(
        new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: pending, ConsistentRead: true } } }),
      );
      out.push(...((res.Responses?.[tableName()] ?? []) as Row[]));
      pending = res.UnprocessedKeys?.[tableName()]?.Keys as Row[] | undefined;
      if (pending?.length) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
    }
  }
  return out;
}
