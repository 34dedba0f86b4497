/** POST /api/inventory/bulk: rows are independent; each valid row applied exactly once. */
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';
import { ledgerRows } from '../support/ledger.ts';
import { inParallel } from '../support/parallel.ts';
import { seedActor, seedItems } from '../support/seed.ts';

let api: Api;
let wh: string;
let wh2: string;
let ro: string;
const iids = new Map<string, string>();
const sku = (i: number) => `BK-${String(i).padStart(3, '0')}`;
beforeAll(async () => {
  const T0 = Date.now();
  api = await startApi();
  wh = (await api.post('/api/warehouses', { name: 'B1' })).body.data.id;
  wh2 = (await api.post('/api/warehouses', { name: 'B2' })).body.data.id;
  ro = (await api.post('/api/warehouses', { name: 'B-FBA', type: 'FBA' })).body.data.id;
  // 250 SKUs stocked at B1 and B2, written in this process by the store's own writes (the subject here is the bulk route)
  const items = await seedItems(seedActor(api.tenant), 250, (i) => ({
    sku: sku(i),
    levels: [
      { location_id: wh, stocked_quantity: 10 },
      { location_id: wh2, stocked_quantity: 10 },
    ],
  }));
  for (const item of items) iids.set(item.sku!, item.id);
  console.log('SEED', Date.now() - T0);
}, 120_000);
afterAll(() => api.close());

const bulk = (updates: unknown[]) => api.post('/api/inventory/bulk', { updates });
/** The cycle_count ledger rows of every seeded SKU, read a few items at a time. */
async function cycleCounts() {
  const ids = [...iids.values()];
  let n = 0;
  await inParallel(ids.length, async (i) => {
    const rows = (await ledgerRows(api.tenant, ids[i]!)).filter((r) => r.reason === 'cycle_count');
    n += rows.length;
  });
  return n;
}

test('500 rows with bad ones sprinkled in: valid rows applied once, each bad row reported with its index and code', async () => {
  const updates: unknown[] = [];
  const bad = new Map<number, string>();
  for (let i = 0; i < 500; i++) {
    const row = { sku: sku(i % 250), warehouse_id: i < 250 ? wh : wh2, quantity: 100 + i, reason: 'cycle_count' };
    if (i % 50 === 7) {
      updates.push({ ...row, quantity: -5 });
      bad.set(i, 'NEGATIVE_QUANTITY');
    } else if (i % 50 === 13) {
      updates.push({ ...row, sku: 'NO-SUCH-SKU' });
      bad.set(i, 'INVENTORY_NOT_FOUND');
    } else if (i % 50 === 21) {
      updates.push({ ...row, warehouse_id: 'wh_nope' });
      bad.set(i, 'WAREHOUSE_NOT_FOUND');
    } else if (i % 50 === 33) {
      updates.push({ ...row, warehouse_id: ro });
      bad.set(i, 'READONLY_WAREHOUSE');
    } else if (i % 50 === 41) {
      updates.push({ ...row, quantity: 1.5 });
      bad.set(i, 'INVALID_QUANTITY');
    } else if (i === 499) {
      updates.push('not a row');
      bad.set(i, 'VALIDATION_ERROR');
    } else {
      updates.push(row);
    }
  }
  const res = await bulk(updates);
  expect(res.status).toBe(200);
  const { applied, failed, results } = res.body.data;
  expect(results).toHaveLength(500);
  expect(failed).toBe(bad.size);
  expect(applied).toBe(500 - bad.size);
  for (const r of results) {
    if (bad.has(r.index)) {
      expect(r.status).toBe('failed');
      expect(r.error.code).toBe(bad.get(r.index));
    } else {
      expect(r.status).toBe('applied');
    }
  }
  // exactly one ledger row per applied row; quantities as sent
  const ledgerCount = await cycleCounts();
  expect(ledgerCount).toBe(applied);
  const level = (await api.get(`/api/inventory/${sku(3)}`)).body.data.warehouses.find((w: any) => w.warehouse_id === wh2);
  expect(level.on_hand).toBe(100 + 253);

  // the same request again changes nothing: every applied row is now "unchanged", no new ledger rows
  const again = await bulk(updates);
  expect(again.body.data).toMatchObject({ applied: 0, unchanged: 500 - bad.size, failed: bad.size });
  expect(await cycleCounts()).toBe(ledgerCount);
}, 60_000);

test('501 updates: 422 TOO_MANY_UPDATES and nothing applied', async () => {
  const updates = Array.from({ length: 501 }, (_, i) => ({ sku: sku(i % 250), warehouse_id: wh, quantity: 7 }));
  const res = await bulk(updates);
  expect(res.status).toBe(422);
  expect(res.body.error.code).toBe('TOO_MANY_UPDATES');
  expect((await api.get(`/api/inventory/${sku(0)}`)).body.data.warehouses.find((w: any) => w.warehouse_id === wh).on_hand).not.toBe(7);
});

test('two rows for one level apply in order; a row for a SKU not yet stocked there creates the level; expected_quantity mismatches are reported', async () => {
  const wh3 = (await api.post('/api/warehouses', { name: 'B3' })).body.data.id;
  const res = await bulk([
    { sku: sku(10), warehouse_id: wh, quantity: 1 },
    { sku: sku(10), warehouse_id: wh, quantity: 2, reason: 'correction' },
    { sku: sku(11), warehouse_id: wh3, quantity: 9 },
    { sku: sku(12), warehouse_id: wh, quantity: 4, expected_quantity: 999 },
  ]);
  expect(res.body.data.results.map((r: any) => r.status)).toEqual(['applied', 'applied', 'applied', 'failed']);
  expect(res.body.data.results[3].error.code).toBe('QUANTITY_MISMATCH');
  expect((await api.get(`/api/inventory/${sku(10)}`)).body.data.warehouses.find((w: any) => w.warehouse_id === wh).on_hand).toBe(2);
  expect((await api.get(`/api/inventory/${sku(11)}`)).body.data.warehouses.find((w: any) => w.warehouse_id === wh3).on_hand).toBe(9);
});

test('an empty list or a body without updates is 400', async () => {
  expect((await bulk([])).status).toBe(400);
  expect((await api.post('/api/inventory/bulk', { rows: [] })).status).toBe(400);
});

test('a body over 256 KB is 413 PAYLOAD_TOO_LARGE in the family shape, nothing applied', async () => {
  const updates = Array.from({ length: 400 }, (_, i) => ({ sku: sku(i % 250), warehouse_id: wh, quantity: 3, note: 'x'.repeat(700) }));
  const res = await bulk(updates);
  expect(res.status).toBe(413);
  expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  expect((await api.get(`/api/inventory/${sku(0)}`)).body.data.warehouses.find((w: any) => w.warehouse_id === wh).on_hand).not.toBe(3);
});
