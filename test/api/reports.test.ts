/** Low-stock reports: JSON and CSV; the latest; an event when done (only flagged levels are read: test/scale/reports-10k.test.ts). */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suggestedReorder } from '../../functions/core/reports.ts';
import { runAs } from '../../functions/store/db.ts';
import { handler as scheduled } from '../../functions/scheduled/low-stock-report.ts';
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';

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
    await api.post(`/admin/inventory-items/${iid}/location-levels`, {
      location_id: wh,
      stocked_quantity: 100,
      safety_stock: 2,
      reorder_level: 10,
      reorder_quantity: 25,
      bin_location: 'A-1',
    });
    await api.post(`/admin/inventory-items/${iid}/location-levels/${wh}`, { stocked_quantity: stocked });
  };
  await mk('R-OK', 50);
  await mk('R-LOW', 8);
  await mk('R-OUT', 0);
  await api.settle();
  const made = await api.post('/api/reports/low-stock');
  expect(made.status).toBe(201);
  expect(made.body.data.data).toEqual([
    {
      sku: 'R-LOW',
      title: 'Title R-LOW',
      warehouse: 'Main, Hall "B"',
      bin: 'A-1',
      stocked: 8,
      reserved: 0,
      incoming: 0,
      available: 6,
      safety_stock: 2,
      reorder_level: 10,
      suggested_reorder_quantity: 25,
      status: 'low',
    },
    {
      sku: 'R-OUT',
      title: 'Title R-OUT',
      warehouse: 'Main, Hall "B"',
      bin: 'A-1',
      stocked: 0,
      reserved: 0,
      incoming: 0,
      available: -2,
      safety_stock: 2,
      reorder_level: 10,
      suggested_reorder_quantity: 25,
      status: 'out_of_stock',
    },
  ]);
  const latest = await api.get('/api/reports/low-stock');
  expect(latest.body.data.id).toBe(made.body.data.id);
  const csv = await api.request('GET', `/api/reports/low-stock/${made.body.data.id}?format=csv`);
  expect(csv.headers.get('content-type')).toContain('text/csv');
  expect(csv.text.split('\r\n')[0]).toBe(
    'sku,title,warehouse,bin,stocked,reserved,incoming,available,safety_stock,reorder_level,suggested_reorder_quantity,status',
  );
  expect(csv.text.split('\r\n')[1]).toBe('R-LOW,Title R-LOW,"Main, Hall ""B""",A-1,8,0,0,6,2,10,25,low');
  const events = readFileSync(process.env.INVENTORY_EVENTS_FILE!, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
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

test('the scheduled run makes a report for every tenant in the directory', async () => {
  const t = await api.otherTenant();
  await api.post('/admin/inventory-items', { sku: 'DIR-1' }, t.key);
  const out = await runAs('LowStockReport', () => scheduled()); // with the report's own grants (the DynamoDB front checks them)
  expect(out.failed).toBe(0);
  expect(out.reports).toBeGreaterThanOrEqual(2);
  expect((await api.get('/api/reports/low-stock', t.key)).status).toBe(200);
  expect(existsSync(process.env.INVENTORY_BLOB_DIR!)).toBe(true);
});
