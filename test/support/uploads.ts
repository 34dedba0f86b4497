/** Upload fixtures: a catalogue made through the core, CSV files generated in the test, the processor run in a child process. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createItem } from '../../functions/core/items.ts';
import { createWarehouse } from '../../functions/core/locations.ts';
import { createLevel } from '../../functions/core/levels.ts';
import { createUpload } from '../../functions/core/uploads.ts';
import type { Actor } from '../../functions/core/model.ts';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '../../functions/store/db.ts';
import { keys } from '../../functions/store/keys.ts';
import { itemIdBySku } from '../../functions/store/items.ts';
import { newTenant } from './api.ts';
import { uploadsInFlight } from '../../lib/local/server.ts';

export interface Catalogue {
  actor: Actor;
  warehouses: string[];
  skus: string[];
}

/** `size` SKUs, each stocked `stocked` in every one of `warehouses` warehouses. */
export async function catalogue(size: number, warehouses = 2, stocked = 100): Promise<Catalogue> {
  const actor: Actor = { tenant: newTenant(), keyId: 'k', keyName: 'uploader', scopes: ['inventory:write'] };
  const whs: string[] = [];
  for (let w = 0; w < warehouses; w++) whs.push((await createWarehouse(actor, { name: `W${w}` })).id);
  const skus: string[] = [];
  const todo = Array.from({ length: size }, (_, i) => `UP-${String(i).padStart(5, '0')}`);
  // a few at a time: the 2-core machine runs DynamoDB Local too
  for (let i = 0; i < todo.length; i += 8) {
    await Promise.all(
      todo.slice(i, i + 8).map(async (sku) => {
        const item = await createItem(actor, { sku, title: sku });
        for (const wid of whs) await createLevel(actor, item.id, { location_id: wid, stocked_quantity: stocked });
      }),
    );
    skus.push(...todo.slice(i, i + 8));
  }
  return { actor, warehouses: whs, skus };
}

/**
 * A deterministic adjust file of `rows` rows over the catalogue: deltas +3, -1, -2, 0, … (some
 * unchanged rows), with every 1000th row broken in a rotating way. Returns the file and what it
 * should do: per level the net change, and how many rows change stock.
 */
export function adjustFile(c: Catalogue, rows: number, opts: { badEvery?: number } = {}) {
  const lines = ['sku,warehouse_id,quantity,reason,note'];
  const net = new Map<string, number>();
  let changing = 0;
  let bad = 0;
  const deltas = [3, -1, -2, 0, 5, -4];
  for (let i = 0; i < rows; i++) {
    const sku = c.skus[i % c.skus.length]!;
    const wid = c.warehouses[Math.floor(i / c.skus.length) % c.warehouses.length]!;
    if (opts.badEvery && i % opts.badEvery === opts.badEvery - 1) {
      bad++;
      const kind = (i / opts.badEvery) % 4;
      lines.push(kind < 1 ? `NOPE-${i},${wid},1,,` : kind < 2 ? `${sku},${wid},abc,,` : kind < 3 ? `${sku},${wid}` : `${sku},${wid},1,"broken"x,`);
      continue;
    }
    const d = deltas[i % deltas.length]!;
    if (d !== 0) changing++;
    net.set(`${sku}|${wid}`, (net.get(`${sku}|${wid}`) ?? 0) + d);
    lines.push(`${sku},${wid},${d},cycle_count,"row ${i + 2}, generated"`);
  }
  return { csv: lines.join('\r\n') + '\r\n', net, changing, bad };
}

/** Create the upload and put its file where the processor reads it (what the PUT does). */
export async function stageUpload(c: Catalogue, csv: string, mode: 'set' | 'adjust') {
  const created = await createUpload(c.actor, { mode }, () => 'http://unused');
  const file = join(resolve(process.env.INVENTORY_BLOB_DIR ?? '.local/blobs'), `uploads/${c.actor.tenant}/${created.data.id}.csv`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, csv);
  return created.data.id;
}

/** Every level's stocked quantity, and the upload's ledger rows, read straight from the table. */
export async function uploadState(c: Catalogue, uploadId: string) {
  const stock = new Map<string, number>();
  let ledger = 0;
  for (const sku of c.skus) {
    const iid = (await itemIdBySku(c.actor.tenant, sku))!;
    let start: Record<string, unknown> | undefined;
    do {
      const res: QueryCommandOutput = await db().send(
        new QueryCommand({
          TableName: tableName(),
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': `T#${c.actor.tenant}#I#${iid}` },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      for (const r of res.Items ?? []) if (String(r.SK).startsWith('L#')) stock.set(`${sku}|${r.location_id}`, r.stocked_quantity);
      start = res.LastEvaluatedKey;
    } while (start);
    start = undefined;
    do {
      const res: QueryCommandOutput = await db().send(
        new QueryCommand({
          TableName: tableName(),
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': keys.ledgerPartition(c.actor.tenant, iid) },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      ledger += (res.Items ?? []).filter((r) => String(r.reference ?? '').startsWith(`upload:${uploadId}:`)).length;
      start = res.LastEvaluatedKey;
    } while (start);
  }
  return { stock, ledger };
}

/** Wait until every upload the local server started (S3-event style, in the background) has finished. */
export async function settleUploads(): Promise<void> {
  while (uploadsInFlight.size) await Promise.all([...uploadsInFlight]);
}
