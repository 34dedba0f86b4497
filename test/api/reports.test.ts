/** Low-stock reports: only flagged levels are read; JSON and CSV; the latest; an event when done. */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { generateReport, suggestedReorder } from '../../functions/core/reports.ts';
import { db, runAs, tableName } from '../../functions/store/db.ts';
import { keys } from '../../functions/store/keys.ts';
import { levelRow } from '../../functions/store/levels.ts';
import { handler as scheduled } from '../../functions/scheduled/low-stock-report.ts';
import { newTenant, startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';
import { inParallel } from '../support/parallel.ts';

const dir = mkdtempSync(join(tmpdir(), 'inventory-reports-'));
process.env.INVENTORY_BLOB_DIR = join(dir, 'blobs');
process.env.INVENTORY_EVENTS_FILE = join(dir, 'events.ndjson');

let api: Api;
beforeAll(async () => {
  api = await startApi({ stream: true });
});
afterAll(() => api.close());

test('a report lists the levels that are not normal, with a suggested reorder quantity, as JSON and CSV', async () => {
  const wh = (await api.post('/api/warehouses', { name: 'Main, Hall "B"' })).body.data.id;
  const mk = async (sku: string, stocked: number) => {
    const iid = (await api.post('/admin/inventory-items', { sku, title: `Title ${sku}` })).body.inventory_item.id;
    await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh, stocked_quantity: 100, safety_stock: 2, reorder_level: 10, reorder_quantity: 25, bin_location: 'A-1' });
    await api.post(`/admin/inventory-items/${iid}/location-levels/${wh}`, { stocked_quantity: stocked });
  };
  await mk('R-OK', 50);
  await mk('R-LOW', 8);
  await mk('R-OUT', 0);
  await api.settle();
  const made = await api.post('/api/reports/low-stock');
  expect(made.status).toBe(201);
  expect(made.body.data.data).toEqual([
    { sku: 'R-LOW', title: 'Title R-LOW', warehouse: 'Main, Hall "B"', bin: 'A-1', stocked: 8, reserved: 0, incoming: 0, available: 6, safety_stock: 2, reorder_level: 10, suggested_reorder_quantity: 25, status: 'low' },
    { sku: 'R-OUT', title: 'Title R-OUT', warehouse: 'Main, Hall "B"', bin: 'A-1', stocked: 0, reserved: 0, incoming: 0, available: -2, safety_stock: 2, reorder_level: 10, suggested_reorder_quantity: 25, status: 'out_of_stock' },
  ]);
  const latest = await api.get('/api/reports/low-stock');
  expect(latest.body.data.id).toBe(made.body.data.id);
  const csv = await api.request('GET', `/api/reports/low-stock/${made.body.data.id}?format=csv`);
  expect(csv.headers.get('content-type')).toContain('text/csv');
  expect(csv.text.split('\r\n')[0]).toBe('sku,title,warehouse,bin,stocked,reserved,incoming,available,safety_stock,reorder_level,suggested_reorder_quantity,status');
  expect(csv.text.split('\r\n')[1]).toBe('R-LOW,Title R-LOW,"Main, Hall ""B""",A-1,8,0,0,6,2,10,25,low');
  const events = readFileSync(process.env.INVENTORY_EVENTS_FILE!, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(events.filter((e) => e.type === 'inventory.report.generated' && e.detail.tenant_id === api.tenant)).toHaveLength(1);
  expect((await api.get('/api/reports/low-stock/rep_20000101T000000000Z_abc')).status).toBe(404);
  expect((await api.get('/api/reports/low-stock?format=xml')).status).toBe(400);
});

test('a tenant without reports gets 404 for the latest', async () => {
  const t = await api.otherTenant();
  const res = await api.get('/api/reports/low-stock', t.key);
  expect(res.status).toBe(404);
  expect(res.body.error.code).toBe('NOT_FOUND');
});

test('suggested reorder: enough to lift available and incoming above the reorder level, at least the reorder quantity', () => {
  expect(suggestedReorder({ available_quantity: 4, incoming_quantity: 0, reorder_level: 10, reorder_quantity: 0 })).toBe(7);
  expect(suggestedReorder({ available_quantity: 4, incoming_quantity: 0, reorder_level: 10, reorder_quantity: 30 })).toBe(30);
  expect(suggestedReorder({ available_quantity: 4, incoming_quantity: 20, reorder_level: 10, reorder_quantity: 30 })).toBe(0);
});

test('over 10,000 levels with 100 flagged, a report reads the flagged levels and nothing else (items only for flags without a title)', async () => {
  const tenant = newTenant();
  const wid = 'wh_big';
  const rows: Record<string, unknown>[] = [{ ...keys.warehouse(tenant, wid), entity: 'warehouse', id: wid, name: 'Big', type: 'own', is_readonly: false, priority: 0, level_count: 10_000 }];
  const now = new Date().toISOString();
  for (let i = 0; i < 10_000; i++) {
    const iid = `iitem_big${i}`;
    const low = i % 100 === 0;
    const stocked = low ? 3 : 500;
    const level = {
      id: `ilev_${iid}:${wid}`, inventory_item_id: iid, location_id: wid, sku: `BIG-${i}`, stocked_quantity: stocked, reserved_quantity: 0, incoming_quantity: 0,
      safety_stock: 0, available_quantity: stocked, reorder_level: 10, reorder_quantity: 20, bin_location: null, metadata: null, created_at: now, updated_at: now,
    };
    // as the stream consumer flags a level: with its item's title; the first ten as older flags were written, without
    const flag = { GSI2PK: keys.lowStockPartition(tenant), GSI2SK: `${iid}#${wid}`, flag_status: 'low', ...(i >= 1000 ? { flag_title: `Big ${i}` } : {}) };
    rows.push({ ...levelRow(tenant, level), ...(low ? flag : {}) });
    if (low) rows.push({ ...keys.item(tenant, iid), entity: 'item', id: iid, sku: `BIG-${i}`, title: `Big ${i}` });
  }
  await inParallel(Math.ceil(rows.length / 25), async (b) => {
    const batch = rows.slice(b * 25, b * 25 + 25).map((Item) => ({ PutRequest: { Item } }));
    const out = await db().send(new BatchWriteCommand({ RequestItems: { [tableName()]: batch } }));
    expect(out.UnprocessedItems?.[tableName()] ?? []).toEqual([]);
  }, 4);
  const report = await generateReport(tenant);
  expect(report.rows).toBe(100);
  // 100 flagged levels from the index + the 10 items of the flags without a title
  expect(report.items_read).toBe(110);
  expect(report.data.map((r) => r.title)).toEqual(report.data.map((r) => `Big ${String(r.sku).slice(4)}`));
}, 120_000);

test('the scheduled run makes a report for every tenant in the directory', async () => {
  const t = await api.otherTenant();
  await api.post('/admin/inventory-items', { sku: 'DIR-1' }, t.key);
  const out = await runAs('LowStockReport', () => scheduled()); // with the report's own grants (the DynamoDB front checks them)
  expect(out.failed).toBe(0);
  expect(out.reports).toBeGreaterThanOrEqual(2);
  expect((await api.get('/api/reports/low-stock', t.key)).status).toBe(200);
  expect(existsSync(process.env.INVENTORY_BLOB_DIR!)).toBe(true);
});
