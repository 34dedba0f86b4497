/**
 * A low-stock report over a large catalogue reads the flagged levels and nothing else. A long run
 * (writing 10,000 levels takes DynamoDB Local about 20 s here), so it is in the scale project.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { generateReport } from '../../functions/core/reports.ts';
import { db, tableName } from '../../functions/store/db.ts';
import { keys } from '../../functions/store/keys.ts';
import { levelRow } from '../../functions/store/levels.ts';
import { newTenant } from '../support/api.ts';
import { inParallel } from '../support/parallel.ts';

const dir = mkdtempSync(join(tmpdir(), 'inventory-reports-10k-'));
process.env.INVENTORY_BLOB_DIR = join(dir, 'blobs');
process.env.INVENTORY_EVENTS_FILE = join(dir, 'events.ndjson');

test('over 10,000 levels with 100 flagged, a report reads the flagged levels and nothing else (items only for flags without a title)', async () => {
  const tenant = newTenant();
  const wid = 'wh_big';
  const rows: Record<string, unknown>[] = [
    { ...keys.warehouse(tenant, wid), entity: 'warehouse', id: wid, name: 'Big', type: 'own', is_readonly: false, priority: 0, level_count: 10_000 },
  ];
  const now = new Date().toISOString();
  for (let i = 0; i < 10_000; i++) {
    const iid = `iitem_big${i}`;
    const low = i % 100 === 0;
    const stocked = low ? 3 : 500;
    const level = {
      id: `ilev_${iid}:${wid}`,
      inventory_item_id: iid,
      location_id: wid,
      sku: `BIG-${i}`,
      stocked_quantity: stocked,
      reserved_quantity: 0,
      incoming_quantity: 0,
      safety_stock: 0,
      available_quantity: stocked,
      reorder_level: 10,
      reorder_quantity: 20,
      bin_location: null,
      metadata: null,
      created_at: now,
      updated_at: now,
    };
    // as the stream consumer flags a level: with its item's title; the first ten as older flags were written, without
    const flag = { GSI2PK: keys.lowStockPartition(tenant), GSI2SK: `${iid}#${wid}`, flag_status: 'low', ...(i >= 1000 ? { flag_title: `Big ${i}` } : {}) };
    rows.push({ ...levelRow(tenant, level), ...(low ? flag : {}) });
    if (low) rows.push({ ...keys.item(tenant, iid), entity: 'item', id: iid, sku: `BIG-${i}`, title: `Big ${i}` });
  }
  await inParallel(
    Math.ceil(rows.length / 25),
    async (b) => {
      const batch = rows.slice(b * 25, b * 25 + 25).map((Item) => ({ PutRequest: { Item } }));
      const out = await db().send(new BatchWriteCommand({ RequestItems: { [tableName()]: batch } }));
      expect(out.UnprocessedItems?.[tableName()] ?? []).toEqual([]);
    },
    4,
  );
  const report = await generateReport(tenant, async () => {});
  expect(report.rows).toBe(100);
  // 100 flagged levels from the index + the 10 items of the flags without a title
  expect(report.items_read).toBe(110);
  expect(report.data.map((r) => r.title)).toEqual(report.data.map((r) => `Big ${String(r.sku).slice(4)}`));
}, 120_000);
