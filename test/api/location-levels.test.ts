import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';
import { ledgerRows } from '../support/ledger.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

async function setup(stocked = 100, opts: { readonly?: boolean; safety_stock?: number } = {}) {
  const wh = (await api.post('/admin/stock-locations', { name: 'W', is_readonly: opts.readonly ?? false })).body.stock_location.id as string;
  const item = (await api.post('/admin/inventory-items', { sku: `LV-${Math.random().toString(36).slice(2)}` })).body.inventory_item;
  const iid = item.id as string;
  const res = await api.post(`/admin/inventory-items/${iid}/location-levels`, {
    location_id: wh,
    stocked_quantity: stocked,
    safety_stock: opts.safety_stock ?? 0,
  });
  return { wh, iid, res };
}
const levelOf = async (iid: string, wh: string) =>
  (await api.get(`/admin/inventory-items/${iid}/location-levels`)).body.inventory_item.location_levels.find((l: any) => l.location_id === wh);
const path = (iid: string, wh: string) => `/admin/inventory-items/${iid}/location-levels/${wh}`;

describe('creating a level', () => {
  test('stocks the item there, writes the initial ledger rows, answers the item with its levels', async () => {
    const wh = (await api.post('/admin/stock-locations', { name: 'C' })).body.stock_location.id;
    const iid = (await api.post('/admin/inventory-items', { sku: 'LV-CREATE' })).body.inventory_item.id;
    const res = await api.post(`/admin/inventory-items/${iid}/location-levels`, {
      location_id: wh,
      stocked_quantity: 100,
      incoming_quantity: 50,
      safety_stock: 10,
      reorder_level: 20,
      reorder_quantity: 40,
      bin_location: 'A-1',
    });
    expect(res.status).toBe(200);
    expect(res.body.inventory_item.location_levels[0]).toMatchObject({
      id: expect.stringMatching(/^ilev_/),
      inventory_item_id: iid,
      location_id: wh,
      stocked_quantity: 100,
      reserved_quantity: 0,
      incoming_quantity: 50,
      available_quantity: 90,
      safety_stock: 10,
      reorder_level: 20,
      reorder_quantity: 40,
      bin_location: 'A-1',
    });
    const rows = await ledgerRows(api.tenant, iid);
    expect(rows.map((r) => [r.field, r.before_quantity, r.after_quantity, r.delta, r.reason, r.created_by]).sort()).toEqual([
      ['incoming_quantity', 0, 50, 50, 'initial', 'test'],
      ['stocked_quantity', 0, 100, 100, 'initial', 'test'],
    ]);
  });

  test('a second level at the same location is 409; unknown item or location 404; nothing written', async () => {
    const { wh, iid } = await setup(5);
    const dup = await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh, stocked_quantity: 9 });
    expect(dup.status).toBe(409);
    expect((await levelOf(iid, wh)).stocked_quantity).toBe(5);
    const noItem = await api.post('/admin/inventory-items/iitem_none/location-levels', { location_id: wh });
    expect(noItem.status).toBe(404);
    const noWh = await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: 'wh_none', stocked_quantity: 3 });
    expect(noWh.status).toBe(404);
    expect(noWh.body.code).toBe('WAREHOUSE_NOT_FOUND');
    expect(await ledgerRows(api.tenant, iid)).toHaveLength(1);
  });

  test('stock arriving at a read-only location is 403 READONLY_WAREHOUSE; an empty level there is fine', async () => {
    const wh = (await api.post('/admin/stock-locations', { name: 'FBA', type: 'FBA' })).body.stock_location;
    expect(wh.is_readonly).toBe(true);
    const iid = (await api.post('/admin/inventory-items', { sku: 'LV-RO' })).body.inventory_item.id;
    const res = await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh.id, stocked_quantity: 3 });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('READONLY_WAREHOUSE');
    expect((await api.get(`/admin/inventory-items/${iid}`)).body.inventory_item.location_levels).toEqual([]);
    expect((await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh.id })).status).toBe(200);
  });
});

describe('setting a level (absolute)', () => {
  test('sets stocked and incoming, keeps available = stocked − reserved − safety_stock, one ledger row per changed quantity', async () => {
    const { wh, iid } = await setup(100);
    await api.post('/admin/reservations', { inventory_item_id: iid, location_id: wh, quantity: 10 });
    const res = await api.post(path(iid, wh), { stocked_quantity: 150, incoming_quantity: 20, safety_stock: 5, reason: 'cycle_count', note: 'counted' });
    expect(res.status).toBe(200);
    const l = res.body.inventory_item.location_levels[0];
    expect(l).toMatchObject({ stocked_quantity: 150, incoming_quantity: 20, reserved_quantity: 10, safety_stock: 5, available_quantity: 135 });
    const rows = (await ledgerRows(api.tenant, iid)).filter((r) => r.reason === 'cycle_count');
    expect(rows.map((r) => [r.field, r.before_quantity, r.after_quantity, r.delta, r.note]).sort()).toEqual([
      ['incoming_quantity', 0, 20, 20, 'counted'],
      ['stocked_quantity', 100, 150, 50, 'counted'],
    ]);
  });

  test('thresholds alone change no quantity and write no ledger row', async () => {
    const { wh, iid } = await setup(10);
    const res = await api.post(path(iid, wh), { reorder_level: 4, reorder_quantity: 12, bin_location: 'B-2' });
    expect(res.body.inventory_item.location_levels[0]).toMatchObject({ reorder_level: 4, reorder_quantity: 12, bin_location: 'B-2', stocked_quantity: 10 });
    expect(await ledgerRows(api.tenant, iid)).toHaveLength(1);
  });

  test('expected_quantity makes it compare-and-set: a mismatch is 409 QUANTITY_MISMATCH with the current quantity, nothing changed', async () => {
    const { wh, iid } = await setup(30);
    const res = await api.post(path(iid, wh), { stocked_quantity: 40, expected_quantity: 25 });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'QUANTITY_MISMATCH', current_quantity: 30 });
    expect((await levelOf(iid, wh)).stocked_quantity).toBe(30);
    expect(await ledgerRows(api.tenant, iid)).toHaveLength(1);
    expect((await api.post(path(iid, wh), { stocked_quantity: 40, expected_quantity: 30 })).status).toBe(200);
  });

  test("negative quantities are 400 invalid_data (Medusa's answer), fractional and huge ones 422; each naming the field; nothing changed", async () => {
    const { wh, iid } = await setup(30);
    const cases: [Record<string, unknown>, number, string][] = [
      [{ stocked_quantity: -1 }, 400, 'NEGATIVE_QUANTITY'],
      [{ stocked_quantity: -1, incoming_quantity: -1 }, 400, 'NEGATIVE_QUANTITY'],
      [{ stocked_quantity: 2.5 }, 422, 'INVALID_QUANTITY'],
      [{ incoming_quantity: 5324804697620480 }, 422, 'INVALID_QUANTITY'],
      [{ safety_stock: -3 }, 400, 'INVALID_QUANTITY'],
      [{ stocked_quantity: -1, safety_stock: 1.5 }, 422, 'INVALID_QUANTITY'],
    ];
    for (const [body, status, code] of cases) {
      const res = await api.post(path(iid, wh), body);
      expect([body, res.status]).toEqual([body, status]);
      expect(res.body).toMatchObject({ type: 'invalid_data', code });
      expect(res.body.message).toContain(Object.keys(body)[0]);
    }
    expect((await levelOf(iid, wh)).stocked_quantity).toBe(30);
    expect(await ledgerRows(api.tenant, iid)).toHaveLength(1);
  });

  test('a quantity sent as a string is a 400 VALIDATION_ERROR; an unknown reason too', async () => {
    const { wh, iid } = await setup(3);
    expect((await api.post(path(iid, wh), { stocked_quantity: '5' })).body.code).toBe('VALIDATION_ERROR');
    const reason = await api.post(path(iid, wh), { stocked_quantity: 5, reason: 'theft' });
    expect(reason.status).toBe(400);
    expect(reason.body.message).toContain('reason');
  });

  test('stock writes at a read-only location are 403 READONLY_WAREHOUSE; a level that does not exist is 404', async () => {
    const { wh, iid } = await setup(0, { readonly: true });
    const res = await api.post(path(iid, wh), { stocked_quantity: 5 });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('READONLY_WAREHOUSE');
    const other = (await api.post('/admin/stock-locations', { name: 'none here' })).body.stock_location.id;
    expect((await api.post(path(iid, other), { stocked_quantity: 5 })).status).toBe(404);
  });
});

describe('adjusting a level (relative)', () => {
  test('adds and subtracts, with one ledger row each carrying reason and note', async () => {
    const { wh, iid } = await setup(10, { safety_stock: 2 });
    expect((await api.post(`${path(iid, wh)}/adjust`, { adjustment: 5, reason: 'supplier_receipt', note: 'PO-1' })).status).toBe(200);
    const res = await api.post(`${path(iid, wh)}/adjust`, { adjustment: -3, reason: 'damage' });
    expect(res.body.inventory_item.location_levels[0]).toMatchObject({ stocked_quantity: 12, available_quantity: 10 });
    const rows = (await ledgerRows(api.tenant, iid)).filter((r) => r.reason !== 'initial');
    expect(rows.map((r) => [r.reason, r.before_quantity, r.after_quantity, r.delta, r.note]).sort()).toEqual([
      ['damage', 15, 12, -3, null],
      ['supplier_receipt', 10, 15, 5, 'PO-1'],
    ]);
  });

  test('taking stock below zero is 400 invalid_data NEGATIVE_QUANTITY with the current quantity; nothing changed', async () => {
    const { wh, iid } = await setup(4);
    const res = await api.post(`${path(iid, wh)}/adjust`, { adjustment: -5 });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: 'invalid_data', code: 'NEGATIVE_QUANTITY', current_quantity: 4 });
    expect((await levelOf(iid, wh)).stocked_quantity).toBe(4);
    expect(await ledgerRows(api.tenant, iid)).toHaveLength(1);
  });

  test('an adjustment of 0, fractional or beyond a billion is refused', async () => {
    const { wh, iid } = await setup(4);
    for (const adjustment of [0, 1.5, -2_000_000_000]) {
      const res = await api.post(`${path(iid, wh)}/adjust`, { adjustment });
      expect(res.status).toBe(422);
      expect(res.body.message).toContain('adjustment');
    }
    expect((await api.post(`${path(iid, wh)}/adjust`, {})).status).toBe(400);
  });
});

describe('deleting a level', () => {
  test("is refused while something is reserved there: Medusa's 400 not_allowed and message, code HAS_RESERVATIONS", async () => {
    const { wh, iid } = await setup(5);
    const r = await api.post('/admin/reservations', { inventory_item_id: iid, location_id: wh, quantity: 1 });
    const refused = await api.del(path(iid, wh));
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      type: 'not_allowed',
      code: 'HAS_RESERVATIONS',
      message: `Cannot remove Inventory Level ${iid} at Location ${wh} because there are reservations at location`,
    });
    expect((await levelOf(iid, wh)).reserved_quantity).toBe(1);
    await api.del(`/admin/reservations/${r.body.reservation.id}`);
    const res = await api.del(path(iid, wh));
    expect(res.status).toBe(200);
    // Medusa's answer: the level's id, and its item (as it is after) as parent
    expect(res.body).toEqual({
      id: `ilev_${iid}:${wh}`,
      object: 'inventory-level',
      deleted: true,
      parent: expect.objectContaining({ id: iid, location_levels: [] }),
    });
    expect(await levelOf(iid, wh)).toBeUndefined();
    expect((await api.del(path(iid, wh))).status).toBe(404);
    // the 5 units there leave the books through the ledger
    expect((await ledgerRows(api.tenant, iid)).map((r) => r.delta).sort()).toEqual([-5, 5]);
  });
});

describe('availability (confirmInventory, retrieve*Quantity)', () => {
  test('sums over the chosen locations (all by default) and says whether a quantity is available', async () => {
    const { wh, iid } = await setup(100, { safety_stock: 10 });
    const wh2 = (await api.post('/admin/stock-locations', { name: 'W2' })).body.stock_location.id;
    await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh2, stocked_quantity: 50, incoming_quantity: 7 });
    await api.post('/admin/reservations', { inventory_item_id: iid, location_id: wh2, quantity: 5 });
    const all = await api.get(`/admin/inventory-items/${iid}/availability?quantity=135`);
    expect(all.body).toMatchObject({
      stocked_quantity: 150,
      reserved_quantity: 5,
      incoming_quantity: 7,
      available_quantity: 135,
      quantity: 135,
      sufficient: true,
    });
    const one = await api.get(`/admin/inventory-items/${iid}/availability?location_id=${wh2}&quantity=46`);
    expect(one.body).toMatchObject({ location_ids: [wh2], available_quantity: 45, sufficient: false });
    const both = await api.get(`/admin/inventory-items/${iid}/availability?location_id=${wh}&location_id=${wh2}`);
    expect(both.body).toMatchObject({ available_quantity: 135, sufficient: null, quantity: null });
    expect((await api.get(`/admin/inventory-items/${iid}/availability?quantity=1.5`)).status).toBe(400);
  });

  test('an item that allows backorders is sufficient beyond its stock, up to its limit', async () => {
    const wh = (await api.post('/admin/stock-locations', { name: 'B' })).body.stock_location.id;
    const iid = (await api.post('/admin/inventory-items', { sku: 'LV-BO', allow_backorder: true, backorder_limit: 5 })).body.inventory_item.id;
    await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh, stocked_quantity: 2 });
    expect((await api.get(`/admin/inventory-items/${iid}/availability?quantity=7`)).body.sufficient).toBe(true);
    expect((await api.get(`/admin/inventory-items/${iid}/availability?quantity=8`)).body.sufficient).toBe(false);
  });
});
