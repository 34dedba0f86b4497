/**
 * P4: a bulk update of 500 rows, POST /api/inventory/bulk, each row an absolute stocked quantity for
 * an existing SKU at its warehouse.
 *
 * Requests: the DynamoDB requests the service's functions sent for the request (counted at the
 * client in the service process, the authorizer's cache warm). Time: the request's wall time against
 * the raw writes it needs — the 500 level updates and their 500 ledger rows (the same item shapes,
 * functions/store/ledger.ts), as 10 TransactWriteItems of the 100-action maximum, one after the other
 * as the service sends its transactions, with no reads and no conditions. The service updates the
 * catalogue's first 500 SKUs, the baseline the next 500, so neither changes the other's rows.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../functions/store/keys.ts';
import { ledgerPut } from '../functions/store/ledger.ts';
import { client, ok } from './lib/http.ts';
import type { Catalogue } from './lib/seed.ts';
import type { Stack } from './lib/stack.ts';
import { median, medianRatio } from './lib/stats.ts';

export const BULK_ROWS = 500;

export interface P4Result {
  /** DynamoDB requests per bulk request (median over rounds; they are the same every round). */
  requests: number;
  commands: Record<string, number>;
  serviceMs: number[];
  rawMs: number[];
  ratio: number;
}

export async function runP4(stack: Stack, cat: Catalogue, opts: { rounds: number }, log: (s: string) => void): Promise<P4Result> {
  if (cat.size < 2 * BULK_ROWS) throw new Error(`P4 needs a catalogue of at least ${2 * BULK_ROWS} SKUs`);
  const http = client(stack.url, cat.key, 1);
  const bare = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: stack.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 4 }),
  );

  const serviceBulk = async (round: number) => {
    const updates = cat.skus.slice(0, BULK_ROWS).map((sku, i) => ({ sku, warehouse_id: cat.warehouseId, quantity: 1000 * (round + 1) + i }));
    // an authorized request first, so the measured one meets a warm authorizer cache
    await ok(http, 'GET', '/api/inventory/warehouses');
    await stack.resetCounters();
    const res = await ok(http, 'POST', '/api/inventory/bulk', { updates });
    const counters = await stack.readCounters();
    if (res.body.data.applied !== BULK_ROWS)
      throw new Error(
        `bulk applied ${res.body.data.applied} of ${BULK_ROWS}: ${JSON.stringify(res.body.data.results.find((r: any) => r.status === 'failed'))}`,
      );
    return { ms: res.ms, requests: counters.attempts, commands: counters.commands };
  };

  const rawWrites = async (round: number) => {
    const now = new Date().toISOString();
    const t0 = performance.now();
    for (let start = BULK_ROWS; start < 2 * BULK_ROWS; start += 50) {
      const TransactItems = [];
      for (let i = start; i < start + 50; i++) {
        const iid = cat.itemIds[i];
        const quantity = 1000 * (round + 1) + i;
        TransactItems.push({
          Update: {
            TableName: stack.tableName,
            Key: keys.level(cat.tenant, iid, cat.warehouseId),
            UpdateExpression: 'SET stocked_quantity = :q, available_quantity = :q, version = version + :one, updated_at = :now',
            ExpressionAttributeValues: { ':q': quantity, ':one': 1, ':now': now },
          },
        });
        TransactItems.push(
          ledgerPut({
            tenant: cat.tenant,
            sku: cat.skus[i],
            inventory_item_id: iid,
            warehouse_id: cat.warehouseId,
            field: 'stocked_quantity',
            before: 0,
            after: quantity,
            reason: 'bulk_import',
            created_by: 'bench',
            at: now,
          }).item,
        );
      }
      await bare.send(new TransactWriteCommand({ TransactItems }));
    }
    return performance.now() - t0;
  };

  // warm-up round (not counted)
  await serviceBulk(0);
  await rawWrites(0);
  const serviceMs: number[] = [];
  const rawMs: number[] = [];
  const requests: number[] = [];
  let commands: Record<string, number> = {};
  for (let r = 1; r <= opts.rounds; r++) {
    const order = r % 2 ? ['service', 'raw'] : ['raw', 'service'];
    for (const side of order) {
      if (side === 'raw') rawMs.push(await rawWrites(r));
      else {
        const s = await serviceBulk(r);
        serviceMs.push(s.ms);
        requests.push(s.requests);
        commands = s.commands;
      }
    }
    log(
      `  round ${r}/${opts.rounds}: service ${serviceMs.at(-1)!.toFixed(0)} ms (${requests.at(-1)} DynamoDB requests), raw writes ${rawMs.at(-1)!.toFixed(0)} ms`,
    );
  }
  bare.destroy();
  http.close();
  return { requests: median(requests), commands, serviceMs, rawMs, ratio: medianRatio(serviceMs, rawMs) };
}

/** One bulk request after another, for the profiler (quantities move on each time). */
export function p4ProfileLoad(stack: Stack, cat: Catalogue, count: number) {
  const http = client(stack.url, cat.key, 1);
  return async () => {
    for (let r = 0; r < count; r++) {
      const updates = cat.skus.slice(0, BULK_ROWS).map((sku, i) => ({ sku, warehouse_id: cat.warehouseId, quantity: 50_000 + 1000 * r + i }));
      await ok(http, 'POST', '/api/inventory/bulk', { updates });
    }
    http.close();
    return count;
  };
}
