import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';
import { ledgerRows } from '../support/ledger.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

const create = (body: Record<string, unknown>) => api.post('/admin/inventory-items', body);

describe('creating an inventory item', () => {
  test('answers with every field, defaults filled in', async () => {
    const res = await create({ sku: 'SHIRT-MD-BLU', title: 'Premium T-Shirt - Medium - Blue', weight: 210, material: 'Cotton', origin_country: 'US' });
    expect(res.status).toBe(200);
    expect(res.body.inventory_item).toMatchObject({
      id: expect.stringMatching(/^iitem_/),
      sku: 'SHIRT-MD-BLU',
      weight: 210,
      material: 'Cotton',
      origin_country: 'US',
      requires_shipping: true,
      allow_backorder: false,
      backorder_limit: null,
      hs_code: null,
      metadata: null,
      created_at: expect.stringMatching(/Z$/),
    });
  });

  test('refuses a second item with the same sku (409 duplicate_error) and creates nothing', async () => {
    await create({ sku: 'DUP-1' });
    const before = (await api.get('/admin/inventory-items?sku=DUP-1')).body.count;
    const res = await create({ sku: 'DUP-1', title: 'again' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ type: 'duplicate_error', code: 'DUPLICATE' });
    expect(res.body.message).toContain('DUP-1');
    expect((await api.get('/admin/inventory-items?q=dup-1')).body.count).toBe(before);
  });

  test('names each bad field', async () => {
    const res = await create({ sku: 5, weight: 'heavy', requires_shipping: 'yes' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
    const fields = res.body.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(['requires_shipping', 'sku', 'weight']);
  });

  test('refuses a fractional, huge or negative backorder limit with INVALID_QUANTITY (negative: 400, as Medusa)', async () => {
    for (const [backorder_limit, status] of [
      [1.5, 422],
      [5324804697620480, 422],
      [-1, 400],
    ]) {
      const res = await create({ sku: `BO-${backorder_limit}`, allow_backorder: true, backorder_limit });
      expect(res.status).toBe(status);
      expect(res.body.code).toBe('INVALID_QUANTITY');
      expect(res.body.message).toContain('backorder_limit');
    }
    expect((await api.get('/admin/inventory-items?q=BO-')).body.count).toBe(0);
  });
});

describe('reading, updating and deleting an item', () => {
  test('GET includes its location levels; unknown ids are 404 INVENTORY_NOT_FOUND', async () => {
    const wh = (await api.post('/admin/stock-locations', { name: 'R' })).body.stock_location.id;
    const item = (await create({ sku: 'READ-1' })).body.inventory_item;
    await api.post(`/admin/inventory-items/${item.id}/location-levels`, { location_id: wh, stocked_quantity: 4 });
    const res = await api.get(`/admin/inventory-items/${item.id}`);
    expect(res.status).toBe(200);
    expect(res.body.inventory_item.location_levels).toHaveLength(1);
    expect(res.body.inventory_item.location_levels[0]).toMatchObject({ location_id: wh, stocked_quantity: 4, available_quantity: 4 });
    const missing = await api.get('/admin/inventory-items/iitem_nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ type: 'not_found', code: 'INVENTORY_NOT_FOUND' });
  });

  test('a partial update changes only what it names; a sku change frees the old sku', async () => {
    const item = (await create({ sku: 'UPD-1', title: 'Old', weight: 200 })).body.inventory_item;
    const res = await api.post(`/admin/inventory-items/${item.id}`, { weight: 220, metadata: { warehouse_section: 'A-12' }, sku: 'UPD-2' });
    expect(res.status).toBe(200);
    expect(res.body.inventory_item).toMatchObject({ sku: 'UPD-2', title: 'Old', weight: 220, metadata: { warehouse_section: 'A-12' } });
    expect((await create({ sku: 'UPD-1' })).status).toBe(200);
    const clash = await api.post(`/admin/inventory-items/${item.id}`, { sku: 'UPD-1' });
    expect(clash.status).toBe(409);
    expect((await api.get(`/admin/inventory-items/${item.id}`)).body.inventory_item.sku).toBe('UPD-2');
  });

  test("delete answers Medusa's shape, removes the item and its sku; a second delete is 404", async () => {
    const item = (await create({ sku: 'DEL-1' })).body.inventory_item;
    const res = await api.del(`/admin/inventory-items/${item.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: item.id, object: 'inventory-item', deleted: true });
    expect((await api.get(`/admin/inventory-items/${item.id}`)).status).toBe(404);
    expect((await api.del(`/admin/inventory-items/${item.id}`)).status).toBe(404);
    expect((await create({ sku: 'DEL-1' })).status).toBe(200);
  });

  test("delete is refused while the item has open reservations (Medusa's 400 not_allowed and message), and then nothing changes", async () => {
    const wh = (await api.post('/admin/stock-locations', { name: 'D' })).body.stock_location.id;
    const item = (await create({ sku: 'DEL-RES' })).body.inventory_item;
    await api.post(`/admin/inventory-items/${item.id}/location-levels`, { location_id: wh, stocked_quantity: 5 });
    const r = await api.post('/admin/reservations', { inventory_item_id: item.id, location_id: wh, quantity: 2 });
    const before = (await api.get(`/admin/inventory-items/${item.id}`)).body;
    const res = await api.del(`/admin/inventory-items/${item.id}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      type: 'not_allowed',
      code: 'HAS_RESERVATIONS',
      message: `Cannot remove following inventory item(s) since they have reservations: [${item.id}].`,
    });
    expect((await api.get(`/admin/inventory-items/${item.id}`)).body).toEqual(before);
    await api.del(`/admin/reservations/${r.body.reservation.id}`);
    expect((await api.del(`/admin/inventory-items/${item.id}`)).status).toBe(200);
    // the stock that was still there is written off in the ledger
    const rows = await ledgerRows(api.tenant, item.id);
    expect(rows.map((r) => [r.reason, r.before_quantity, r.after_quantity]).sort()).toEqual([
      ['correction', 5, 0],
      ['initial', 0, 5],
    ]);
  });
});

describe('listing items', () => {
  let wh1: string;
  let wh2: string;
  beforeAll(async () => {
    wh1 = (await api.post('/admin/stock-locations', { name: 'L1' })).body.stock_location.id;
    wh2 = (await api.post('/admin/stock-locations', { name: 'L2' })).body.stock_location.id;
    for (let i = 0; i < 7; i++) {
      const item = (await create({ sku: `LIST-${i}`, title: i % 2 ? 'Blue Widget' : 'Red Gadget' })).body.inventory_item;
      await api.post(`/admin/inventory-items/${item.id}/location-levels`, { location_id: i < 3 ? wh1 : wh2, stocked_quantity: i });
    }
  });

  test('q matches sku or title, case-insensitively, and count counts every match', async () => {
    const res = await api.get('/admin/inventory-items?q=list-&limit=2');
    expect(res.body.count).toBe(7);
    expect(res.body.inventory_items).toHaveLength(2);
    expect(res.body.limit).toBe(2);
    expect((await api.get('/admin/inventory-items?q=blue%20WIDGET')).body.count).toBe(3);
  });

  test('offset and limit page through the matches without gaps or repeats', async () => {
    const seen: string[] = [];
    for (let offset = 0; offset < 7; offset += 3) {
      const page = await api.get(`/admin/inventory-items?q=LIST-&limit=3&offset=${offset}`);
      expect(page.body.offset).toBe(offset);
      seen.push(...page.body.inventory_items.map((i: { sku: string }) => i.sku));
    }
    expect(seen.sort()).toEqual(Array.from({ length: 7 }, (_, i) => `LIST-${i}`));
  });

  test('sku is an exact filter; location_id filters by where items are stocked (repeatable or comma list)', async () => {
    expect((await api.get('/admin/inventory-items?sku=LIST-3')).body.inventory_items.map((i: { sku: string }) => i.sku)).toEqual(['LIST-3']);
    expect((await api.get('/admin/inventory-items?sku=LIST')).body.count).toBe(0);
    // a list of skus in any encoding (the JS SDK's sku: [a, b] sends sku[0]=a&sku[1]=b): any of them
    for (const q of ['sku=LIST-3,LIST-5,NOPE', 'sku%5B0%5D=LIST-5&sku%5B1%5D=LIST-3', 'sku[]=LIST-3&sku[]=LIST-5']) {
      const res = await api.get(`/admin/inventory-items?${q}`);
      expect([q, res.body.count, res.body.inventory_items.map((i: { sku: string }) => i.sku)]).toEqual([q, 2, ['LIST-3', 'LIST-5']]);
    }
    expect((await api.get('/admin/inventory-items?sku=LIST-3,LIST-5&q=blue')).body.inventory_items.map((i: { sku: string }) => i.sku)).toEqual([
      'LIST-3',
      'LIST-5',
    ]);
    expect((await api.get('/admin/inventory-items?sku=LIST-3,LIST-4&q=blue')).body.inventory_items.map((i: { sku: string }) => i.sku)).toEqual(['LIST-3']);
    expect((await api.get(`/admin/inventory-items?location_id=${wh1}`)).body.count).toBe(3);
    expect((await api.get(`/admin/inventory-items?location_id=${wh1}&location_id=${wh2}`)).body.count).toBe(7);
    expect((await api.get(`/admin/inventory-items?location_id=${wh1},${wh2}&q=blue`)).body.count).toBe(3);
  });

  test("location_levels[location_id] (Medusa's spelling) filters as location_id, in any array encoding; with location_id both hold", async () => {
    const count = async (query: string) => (await api.get(`/admin/inventory-items?q=LIST-&${query}`)).body.count;
    expect(await count(`location_levels%5Blocation_id%5D=${wh1}`)).toBe(3);
    expect(await count(`location_levels[location_id][0]=${wh1}&location_levels[location_id][1]=${wh2}`)).toBe(7);
    expect(await count(`location_id%5B0%5D=${wh2}`)).toBe(4);
    expect(await count(`location_id[]=${wh2}&location_id[]=${wh1}`)).toBe(7);
    expect(await count(`location_levels[location_id]=${wh1}&location_id=${wh2}`)).toBe(0);
  });

  test('q searches the description too (Medusa: title, description and sku)', async () => {
    const t = await api.otherTenant();
    for (const body of [{ title: 'Test Item' }, { description: 'Test Desc' }, { sku: 'Test Sku' }, { sku: 'MY_SKU' }]) {
      expect((await api.post('/admin/inventory-items', body, t.key)).status).toBe(200);
    }
    const res = await api.get('/admin/inventory-items?q=test', t.key);
    expect(res.body.count).toBe(3);
    expect(res.body.inventory_items.map((i: any) => i.sku ?? i.title ?? i.description).sort()).toEqual(['Test Desc', 'Test Item', 'Test Sku']);
    expect((await api.get('/admin/inventory-items?q=DESC', t.key)).body.inventory_items.map((i: any) => i.description)).toEqual(['Test Desc']);
    // with an exact sku, q still narrows over sku, title and description
    expect((await api.get('/admin/inventory-items?sku=Test%20Sku&q=desc', t.key)).body.count).toBe(0);
  });

  test('a filter the list does not take is a 400 naming it, never ignored', async () => {
    for (const query of ['title=Blue', 'sku[$in]=LIST-1', 'location_levels[stocked_quantity]=1', 'order=title', 'id=iitem_1', 'fields=*variants']) {
      const res = await api.get(`/admin/inventory-items?${query}`);
      expect([query, res.status]).toEqual([query, 400]);
      expect(res.body).toMatchObject({ type: 'invalid_data', code: 'VALIDATION_ERROR' });
      expect(res.body.message).toContain(query.split('=')[0]);
    }
  });

  test('order: creation order by default, -created_at newest first (the index order either way: no extra read)', async () => {
    const t = await api.otherTenant();
    const ids: string[] = [];
    for (const sku of ['ORD-1', 'ORD-2', 'ORD-3']) ids.push((await api.post('/admin/inventory-items', { sku }, t.key)).body.inventory_item.id);
    const list = async (q: string) => (await api.get(`/admin/inventory-items?${q}`, t.key)).body.inventory_items.map((i: any) => i.id);
    expect(await list('')).toEqual(ids);
    expect(await list('order=created_at')).toEqual(ids);
    expect(await list('order=-created_at')).toEqual([...ids].reverse());
    expect(await list('order=-id&limit=1&offset=1')).toEqual([ids[1]]);
  });

  test("Medusa's defaults: each item of a list carries its levels and the aggregates over them; fields without them reads no level", async () => {
    const t = await api.otherTenant();
    const wa = (await api.post('/admin/stock-locations', { name: 'A' }, t.key)).body.stock_location.id;
    const wb = (await api.post('/admin/stock-locations', { name: 'B' }, t.key)).body.stock_location.id;
    const iid = (await api.post('/admin/inventory-items', { sku: 'AGG-1' }, t.key)).body.inventory_item.id;
    await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wa, stocked_quantity: 7 }, t.key);
    await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wb, stocked_quantity: 5 }, t.key);
    await api.post('/admin/reservations', { inventory_item_id: iid, location_id: wb, quantity: 2 }, t.key);
    const [item] = (await api.get('/admin/inventory-items', t.key)).body.inventory_items;
    expect(item).toMatchObject({ id: iid, stocked_quantity: 12, reserved_quantity: 2 });
    expect(item.location_levels).toHaveLength(2);
    expect((await api.get(`/admin/inventory-items/${iid}`, t.key)).body.inventory_item).toMatchObject({ stocked_quantity: 12, reserved_quantity: 2 });
    expect((await api.get(`/admin/inventory-items/${iid}?fields=id,stocked_quantity`, t.key)).body.inventory_item).toEqual({ id: iid, stocked_quantity: 12 });
    const bare = (await api.get('/admin/inventory-items?fields=-location_levels,-stocked_quantity,-reserved_quantity', t.key)).body.inventory_items[0];
    expect(bare).toMatchObject({ id: iid, sku: 'AGG-1' });
    expect(bare).not.toHaveProperty('location_levels');
    expect(bare).not.toHaveProperty('stocked_quantity');
    const kept = (await api.get('/admin/inventory-items?fields=id,sku,*location_levels', t.key)).body.inventory_items[0];
    expect(Object.keys(kept).sort()).toEqual(['id', 'location_levels', 'sku']);
    expect(kept.location_levels).toHaveLength(2);
  });

  test('fields trims the answer, and *location_levels adds the levels', async () => {
    const trimmed = await api.get('/admin/inventory-items?sku=LIST-4&fields=id,sku');
    expect(trimmed.body.inventory_items[0]).toEqual({ id: expect.any(String), sku: 'LIST-4' });
    const withLevels = await api.get('/admin/inventory-items?sku=LIST-4&fields=*location_levels');
    expect(withLevels.body.inventory_items[0].location_levels[0]).toMatchObject({ location_id: wh2, stocked_quantity: 4 });
  });

  test('limit above 1000 or a non-number is a 400 naming limit', async () => {
    for (const q of ['limit=1001', 'limit=abc', 'offset=-1']) {
      const res = await api.get(`/admin/inventory-items?${q}`);
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(q.split('=')[0]);
    }
  });
});
