/** The SKU-addressed inventory family through the local server. */
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';
import { ledgerRows } from '../support/ledger.ts';
import { inParallel } from '../support/parallel.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

const put = (sku: string, body: unknown, key?: string) => api.request('PUT', `/api/inventory/${encodeURIComponent(sku)}`, body, { key });
async function warehouse(body: Record<string, unknown>) {
  const res = await api.post('/api/warehouses', body);
  expect(res.status).toBe(201);
  return res.body.data.id as string;
}
async function item(sku: string, title = sku) {
  const res = await api.post('/admin/inventory-items', { sku, title });
  expect(res.status).toBe(200);
  return res.body.inventory_item.id as string;
}

describe("the inventory family's example", () => {
  test('warehouse A (350 on hand, 18 reserved, safety 15) and FBA EU (137, 5, 0): available 317 and 132, totals 487 / 23 / 449, normal', async () => {
    const a = await warehouse({ name: 'Warehouse A', address: 'Industriestraße 1, 12345 Berlin, DE', type: 'own', priority: 2 });
    const fba = await warehouse({ name: 'FBA EU', type: 'FBA', marketplace: 'amazon_eu', is_readonly: false, priority: 1 });
    const iid = await item('SKU-001', 'Blue Widget 500ml');
    await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: a, stocked_quantity: 350, safety_stock: 15 });
    await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: fba, stocked_quantity: 137 });
    for (const [wh, q] of [
      [a, 18],
      [fba, 5],
    ] as const) {
      expect((await api.post('/admin/reservations', { inventory_item_id: iid, location_id: wh, quantity: q })).status).toBe(200);
    }
    await api.request('PATCH', `/api/warehouses/${fba}`, { is_readonly: true });
    const res = await api.get('/api/inventory?sku=SKU-001');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      {
        sku: 'SKU-001',
        title: 'Blue Widget 500ml',
        total_on_hand: 487,
        total_reserved: 23,
        total_available: 449,
        total_incoming: 0,
        safety_stock: 15,
        status: 'normal',
        warehouses: [
          { warehouse_id: a, name: 'Warehouse A', type: 'own', on_hand: 350, reserved: 18, available: 317 },
          { warehouse_id: fba, name: 'FBA EU', type: 'FBA', on_hand: 137, reserved: 5, available: 132 },
        ],
      },
    ]);
    expect(res.body.meta).toEqual({ total: 1, limit: 50, nextCursor: null });
    const detail = await api.get('/api/inventory/SKU-001');
    expect(detail.body.data.warehouses[0]).toMatchObject({ incoming: 0, safety_stock: 15, reorder_level: 0, bin_location: null, status: 'normal' });
    const list = await api.get('/api/inventory/warehouses');
    expect(list.body.data.map((w: any) => [w.name, w.type, w.is_readonly])).toEqual([
      ['Warehouse A', 'own', false],
      ['FBA EU', 'FBA', true],
    ]);
    expect(list.body.data[0].address).toBe('Industriestraße 1, 12345 Berlin, DE');
    // a stock write to the read-only FBA warehouse is refused; a reservation there still works
    const ro = await put('SKU-001', { warehouse_id: fba, quantity: 1 });
    expect(ro.status).toBe(403);
    expect(ro.body.error.code).toBe('READONLY_WAREHOUSE');
    expect((await api.post('/admin/reservations', { inventory_item_id: iid, location_id: fba, quantity: 1 })).status).toBe(200);
  });
});

describe('the SKU list', () => {
  let fresh: { tenant: string; key: string };
  beforeAll(async () => {
    fresh = await api.otherTenant();
  });

  test('pages with an opaque cursor through every SKU exactly once, in sku order, with meta.total', async () => {
    const wh = (await api.post('/api/warehouses', { name: 'P' }, fresh.key)).body.data.id;
    const skus = Array.from({ length: 23 }, (_, i) => `PG-${String(i).padStart(3, '0')}`);
    // made a few at a time (the SKU index keeps sku order whatever the creation order)
    await inParallel(skus.length, async (i) => {
      const iid = (await api.post('/admin/inventory-items', { sku: skus[i] }, fresh.key)).body.inventory_item.id;
      await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh, stocked_quantity: 5 }, fresh.key);
    });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: any = await api.get(`/api/inventory?limit=5${cursor ? `&cursor=${cursor}` : ''}`, fresh.key);
      expect(res.status).toBe(200);
      expect(res.body.meta.total).toBe(23);
      seen.push(...res.body.data.map((d: any) => d.sku));
      cursor = res.body.meta.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(skus);
    expect(pages).toBe(5);
  });

  test('visits every SKU that existed before paging began exactly once while SKUs are created concurrently', async () => {
    const t = await api.otherTenant();
    const wh = (await api.post('/api/warehouses', { name: 'C' }, t.key)).body.data.id;
    const before = Array.from({ length: 30 }, (_, i) => `CC-${String(i * 2).padStart(3, '0')}`);
    await inParallel(before.length, async (i) => {
      await api.post('/admin/inventory-items', { sku: before[i] }, t.key);
    });
    const creating = (async () => {
      for (let i = 0; i < 30; i++) await api.post('/admin/inventory-items', { sku: `CC-${String(i * 2 + 1).padStart(3, '0')}` }, t.key);
    })();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await api.get(`/api/inventory?limit=4${cursor ? `&cursor=${cursor}` : ''}`, t.key);
      seen.push(...res.body.data.map((d: any) => d.sku));
      cursor = res.body.meta.nextCursor;
    } while (cursor);
    await creating;
    void wh;
    expect(new Set(seen).size).toBe(seen.length);
    for (const sku of before) expect(seen).toContain(sku);
    expect([...seen].sort()).toEqual(seen);
  });

  test('the status filter stays correct across pages: short pages are fine, every match is reached', async () => {
    const t = await api.otherTenant();
    const wh = (await api.post('/api/warehouses', { name: 'S' }, t.key)).body.data.id;
    const sku = (i: number) => `ST-${String(i).padStart(3, '0')}`;
    const low = (i: number) => i % 7 === 0;
    const expected = Array.from({ length: 40 }, (_, i) => i)
      .filter(low)
      .map(sku);
    await inParallel(40, async (i) => {
      const iid = (await api.post('/admin/inventory-items', { sku: sku(i) }, t.key)).body.inventory_item.id;
      await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh, stocked_quantity: low(i) ? 3 : 50, reorder_level: 10 }, t.key);
    });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await api.get(`/api/inventory?limit=2&status=low${cursor ? `&cursor=${cursor}` : ''}`, t.key);
      expect(res.body.meta.total).toBe(expected.length);
      for (const d of res.body.data) expect(d.status).toBe('low');
      seen.push(...res.body.data.map((d: any) => d.sku));
      cursor = res.body.meta.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected);
  });

  test('warehouse_id restricts to SKUs stocked there (404 for an unknown warehouse); bad parameters are 400', async () => {
    const t = await api.otherTenant();
    const w1 = (await api.post('/api/warehouses', { name: 'W1' }, t.key)).body.data.id;
    const w2 = (await api.post('/api/warehouses', { name: 'W2' }, t.key)).body.data.id;
    for (let i = 0; i < 5; i++) {
      const iid = (await api.post('/admin/inventory-items', { sku: `WF-${i}` }, t.key)).body.inventory_item.id;
      await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: i < 2 ? w1 : w2, stocked_quantity: 1 }, t.key);
    }
    const res = await api.get(`/api/inventory?warehouse_id=${w1}`, t.key);
    expect(res.body.data.map((d: any) => d.sku).sort()).toEqual(['WF-0', 'WF-1']);
    expect(res.body.meta.total).toBe(2);
    for (const d of res.body.data) expect(d.warehouses.map((w: any) => w.warehouse_id)).toEqual([w1]);
    const missing = await api.get('/api/inventory?warehouse_id=wh_nope', t.key);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('WAREHOUSE_NOT_FOUND');
    for (const q of ['limit=201', 'limit=0x', 'status=fine', 'cursor=garbage']) {
      const bad = await api.get(`/api/inventory?${q}`, t.key);
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('VALIDATION_ERROR');
      expect(bad.body.error.message).toContain(q.split('=')[0]);
    }
  });

  test('an unknown SKU is 404 INVENTORY_NOT_FOUND', async () => {
    const res = await api.get('/api/inventory/NOPE-1');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'INVENTORY_NOT_FOUND', message: expect.stringContaining('NOPE-1') } });
  });
});

describe('setting stock by SKU', () => {
  test('creates the level when the SKU has none there, then sets it with a ledger row carrying reason and note', async () => {
    const wh = await warehouse({ name: 'PUT' });
    const iid = await item('PUT-1');
    const first = await put('PUT-1', { warehouse_id: wh, quantity: 500, reason: 'supplier_receipt', note: 'PO-2026-0312 received' });
    expect(first.status).toBe(200);
    expect(first.body.data).toMatchObject({ sku: 'PUT-1', total_on_hand: 500, warehouses: [expect.objectContaining({ warehouse_id: wh, on_hand: 500 })] });
    const second = await put('PUT-1', { warehouse_id: wh, quantity: 450, reason: 'cycle_count' });
    expect(second.body.data.total_on_hand).toBe(450);
    const rows = await ledgerRows(api.tenant, iid);
    expect(rows.map((r) => [r.reason, r.before_quantity, r.after_quantity, r.note]).sort()).toEqual([
      ['cycle_count', 500, 450, null],
      ['supplier_receipt', 0, 500, 'PO-2026-0312 received'],
    ]);
  });

  test('expected_quantity makes it compare-and-set: 409 QUANTITY_MISMATCH carrying the current quantity', async () => {
    const wh = await warehouse({ name: 'CAS' });
    await item('PUT-2');
    await put('PUT-2', { warehouse_id: wh, quantity: 10 });
    const res = await put('PUT-2', { warehouse_id: wh, quantity: 12, expected_quantity: 9 });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'QUANTITY_MISMATCH', current_quantity: 10 });
    expect((await api.get('/api/inventory/PUT-2')).body.data.total_on_hand).toBe(10);
    expect((await put('PUT-2', { warehouse_id: wh, quantity: 12, expected_quantity: 10 })).status).toBe(200);
  });

  test('errors: unknown SKU 404, unknown warehouse 404, negative 422 NEGATIVE_QUANTITY, fractional / huge 422 INVALID_QUANTITY, missing field 400', async () => {
    const wh = await warehouse({ name: 'ERR' });
    await item('PUT-3');
    const cases: [string, unknown, number, string][] = [
      ['NOPE-2', { warehouse_id: wh, quantity: 1 }, 404, 'INVENTORY_NOT_FOUND'],
      ['PUT-3', { warehouse_id: 'wh_nope', quantity: 1 }, 404, 'WAREHOUSE_NOT_FOUND'],
      ['PUT-3', { warehouse_id: wh, quantity: -1 }, 422, 'NEGATIVE_QUANTITY'],
      ['PUT-3', { warehouse_id: wh, quantity: 1.5 }, 422, 'INVALID_QUANTITY'],
      ['PUT-3', { warehouse_id: wh, quantity: 5324804697620480 }, 422, 'INVALID_QUANTITY'],
      ['PUT-3', { quantity: 1 }, 400, 'VALIDATION_ERROR'],
    ];
    for (const [sku, body, status, code] of cases) {
      const res = await put(sku, body);
      expect([res.status, res.body.error.code]).toEqual([status, code]);
    }
    expect((await api.get('/api/inventory/PUT-3')).body.data.warehouses).toEqual([]);
  });
});

describe('adjustment history', () => {
  test('one row per stock change from any family, newest first, filtered by date, warehouse and reason, cursor-paged', async () => {
    const w1 = await warehouse({ name: 'H1' });
    const w2 = await warehouse({ name: 'H2' });
    const iid = await item('HIST-1');
    await put('HIST-1', { warehouse_id: w1, quantity: 100, reason: 'supplier_receipt' }); // level created: 1 row
    const mid = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await api.post(`/admin/inventory-items/${iid}/location-levels/${w1}/adjust`, { adjustment: -3, reason: 'damage' }); // 2
    const r = await api.post('/admin/reservations', { inventory_item_id: iid, location_id: w1, quantity: 2 });
    await api.post(`/admin/reservations/${r.body.reservation.id}/fulfill`); // 3
    await api.post('/api/inventory/HIST-1/transfers', { from_warehouse_id: w1, to_warehouse_id: w2, quantity: 10 }); // 4, 5
    await api.post('/api/inventory/bulk', { updates: [{ sku: 'HIST-1', warehouse_id: w2, quantity: 12, reason: 'cycle_count' }] }); // 6
    const all = await api.get('/api/inventory/HIST-1/adjustments');
    expect(all.status).toBe(200);
    expect(all.body.meta.total).toBe(6);
    const times = all.body.data.map((a: any) => a.created_at);
    expect([...times].sort().reverse()).toEqual(times);
    expect(new Set(all.body.data.map((a: any) => a.reason))).toEqual(
      new Set(['cycle_count', 'transfer_in', 'transfer_out', 'fulfillment', 'damage', 'supplier_receipt']),
    );
    expect(all.body.data[0]).toMatchObject({
      id: expect.stringMatching(/^adj_/),
      sku: 'HIST-1',
      warehouse_id: w2,
      before_quantity: 10,
      after_quantity: 12,
      delta: 2,
      created_by: 'test',
    });
    expect((await api.get(`/api/inventory/HIST-1/adjustments?warehouse_id=${w2}`)).body.meta.total).toBe(2);
    expect((await api.get('/api/inventory/HIST-1/adjustments?reason=damage')).body.data).toHaveLength(1);
    expect((await api.get(`/api/inventory/HIST-1/adjustments?start_date=${mid}`)).body.meta.total).toBe(5);
    expect((await api.get(`/api/inventory/HIST-1/adjustments?end_date=${mid}`)).body.meta.total).toBe(1);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await api.get(`/api/inventory/HIST-1/adjustments?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...res.body.data.map((a: any) => a.id));
      cursor = res.body.meta.nextCursor;
    } while (cursor);
    expect(paged).toEqual(all.body.data.map((a: any) => a.id));
    expect((await api.get('/api/inventory/HIST-1/adjustments?start_date=yesterday')).status).toBe(400);
    expect((await api.get('/api/inventory/NOPE-3/adjustments')).status).toBe(404);
  });
});

describe('transfers', () => {
  test('move stock between warehouses in one step, with transfer_out and transfer_in rows', async () => {
    const w1 = await warehouse({ name: 'T1' });
    const w2 = await warehouse({ name: 'T2' });
    const iid = await item('TR-1');
    await put('TR-1', { warehouse_id: w1, quantity: 20 });
    const res = await api.post('/api/inventory/TR-1/transfers', { from_warehouse_id: w1, to_warehouse_id: w2, quantity: 8, note: 'rebalance' });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ id: expect.stringMatching(/^trf_/), sku: 'TR-1', quantity: 8, note: 'rebalance' });
    const by = Object.fromEntries(res.body.data.inventory.warehouses.map((w: any) => [w.warehouse_id, w.on_hand]));
    expect(by).toEqual({ [w1]: 12, [w2]: 8 });
    const rows = (await ledgerRows(api.tenant, iid)).filter((r) => r.reason.startsWith('transfer'));
    expect(rows.map((r) => [r.reason, r.warehouse_id, r.delta]).sort()).toEqual([
      ['transfer_in', w2, 8],
      ['transfer_out', w1, -8],
    ]);
  });

  test('refused: more than is available (409), from or into a read-only warehouse (403), unknown warehouse (404), same warehouse (400); nothing moves', async () => {
    const w1 = await warehouse({ name: 'TE1' });
    const w2 = await warehouse({ name: 'TE2' });
    const ro = await warehouse({ name: 'TE-FBA', type: 'FBA' });
    const iid = await item('TR-2');
    await put('TR-2', { warehouse_id: w1, quantity: 5 });
    await api.post('/admin/reservations', { inventory_item_id: iid, location_id: w1, quantity: 2 });
    const t = (body: Record<string, unknown>) =>
      api.post('/api/inventory/TR-2/transfers', { from_warehouse_id: w1, to_warehouse_id: w2, quantity: 1, ...body });
    expect([(await t({ quantity: 4 })).status, (await t({ quantity: 4 })).body.error.code]).toEqual([409, 'INSUFFICIENT_STOCK']);
    expect((await t({ to_warehouse_id: ro })).body.error.code).toBe('READONLY_WAREHOUSE');
    expect((await t({ to_warehouse_id: 'wh_nope' })).status).toBe(404);
    expect((await t({ from_warehouse_id: w2, to_warehouse_id: w1 })).body.error.code).toBe('INVENTORY_NOT_FOUND');
    const same = await t({ to_warehouse_id: w1 });
    expect(same.status).toBe(400);
    expect(same.body.error.message).toContain('to_warehouse_id');
    expect((await t({ quantity: 0 })).body.error.code).toBe('INVALID_QUANTITY');
    const detail = (await api.get('/api/inventory/TR-2')).body.data;
    expect(detail.warehouses.map((w: any) => [w.warehouse_id, w.on_hand])).toEqual([[w1, 5]]);
    expect((await ledgerRows(api.tenant, iid)).filter((r) => r.reason.startsWith('transfer'))).toEqual([]);
  });

  test('a race of transfers both ways and reservations never drives stock negative, and the ledger adds up', async () => {
    const w1 = await warehouse({ name: 'R1' });
    const w2 = await warehouse({ name: 'R2' });
    const iid = await item('TR-RACE');
    await put('TR-RACE', { warehouse_id: w1, quantity: 30 });
    await put('TR-RACE', { warehouse_id: w2, quantity: 30 });
    const ops = [];
    for (let i = 0; i < 20; i++) {
      ops.push(api.post('/api/inventory/TR-RACE/transfers', { from_warehouse_id: i % 2 ? w1 : w2, to_warehouse_id: i % 2 ? w2 : w1, quantity: 7 }));
      ops.push(api.post('/admin/reservations', { inventory_item_id: iid, location_id: i % 2 ? w1 : w2, quantity: 3 }));
    }
    const done = await Promise.all(ops);
    for (const r of done) expect([200, 201, 400, 409]).toContain(r.status);
    const levels = (await api.get(`/admin/inventory-items/${iid}/location-levels`)).body.inventory_item.location_levels;
    const rows = await ledgerRows(api.tenant, iid);
    for (const l of levels) {
      expect(l.stocked_quantity).toBeGreaterThanOrEqual(0);
      expect(l.available_quantity).toBe(l.stocked_quantity - l.reserved_quantity - l.safety_stock);
      expect(l.available_quantity).toBeGreaterThanOrEqual(0);
      const sum = rows.filter((r) => r.warehouse_id === l.location_id && r.field === 'stocked_quantity').reduce((a, r) => a + r.delta, 0);
      expect(sum).toBe(l.stocked_quantity);
    }
    expect(levels.reduce((a: number, l: any) => a + l.stocked_quantity, 0)).toBe(60);
  });
});

describe('warehouses', () => {
  test('create (with a chosen id), get, patch; unknown 404 WAREHOUSE_NOT_FOUND; duplicate id 409; bad type 400', async () => {
    const res = await api.post('/api/warehouses', { id: 'wh_berlin', name: 'Berlin', type: '3PL', marketplace: null, priority: 3 });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ id: 'wh_berlin', name: 'Berlin', type: '3PL', is_active: true, is_readonly: false, priority: 3 });
    expect((await api.post('/api/warehouses', { id: 'wh_berlin', name: 'again' })).status).toBe(409);
    expect((await api.get('/api/warehouses/wh_berlin')).body.data.name).toBe('Berlin');
    const patched = await api.request('PATCH', '/api/warehouses/wh_berlin', { is_active: false });
    expect(patched.body.data).toMatchObject({ name: 'Berlin', is_active: false });
    const missing = await api.get('/api/warehouses/wh_nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('WAREHOUSE_NOT_FOUND');
    const bad = await api.post('/api/warehouses', { name: 'x', type: 'cellar' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('type');
    // the same warehouses are the admin family's stock locations
    expect((await api.get('/admin/stock-locations/wh_berlin')).body.stock_location.name).toBe('Berlin');
  });
});
