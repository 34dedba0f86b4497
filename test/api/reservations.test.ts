import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';
import { ledgerRows } from '../support/ledger.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

async function stock(stocked: number, item: Record<string, unknown> = {}) {
  const wh = (await api.post('/admin/stock-locations', { name: 'W' })).body.stock_location.id as string;
  const iid = (await api.post('/admin/inventory-items', { sku: `RS-${Math.random().toString(36).slice(2)}`, ...item })).body.inventory_item.id as string;
  await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh, stocked_quantity: stocked });
  return { wh, iid };
}
const levelOf = async (iid: string, wh: string) =>
  (await api.get(`/admin/inventory-items/${iid}/location-levels`)).body.inventory_item.location_levels.find((l: any) => l.location_id === wh);
const reserve = (iid: string, wh: string, quantity: unknown, extra: Record<string, unknown> = {}) =>
  api.post('/admin/reservations', { inventory_item_id: iid, location_id: wh, quantity, ...extra });

describe('creating a reservation', () => {
  test('holds the quantity: reserved up, available down, stocked unchanged', async () => {
    const { wh, iid } = await stock(10);
    const res = await reserve(iid, wh, 4, {
      line_item_id: 'item_456',
      description: 'Order reservation',
      metadata: { cart: 'c1' },
      expires_at: '2030-01-01T10:00:00+02:00',
    });
    expect(res.status).toBe(200);
    expect(res.body.reservation).toMatchObject({
      id: expect.stringMatching(/^res_/),
      inventory_item_id: iid,
      location_id: wh,
      quantity: 4,
      line_item_id: 'item_456',
      description: 'Order reservation',
      metadata: { cart: 'c1' },
      expires_at: '2030-01-01T08:00:00.000Z',
      created_by: 'test',
    });
    expect(await levelOf(iid, wh)).toMatchObject({ stocked_quantity: 10, reserved_quantity: 4, available_quantity: 6 });
    expect((await api.get(`/admin/reservations/${res.body.reservation.id}`)).body.reservation).toEqual(res.body.reservation);
  });

  test('more than is available is refused like Medusa (400 not_allowed, INSUFFICIENT_STOCK) and changes nothing', async () => {
    const { wh, iid } = await stock(3);
    const res = await reserve(iid, wh, 4);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: 'not_allowed', code: 'INSUFFICIENT_STOCK', available_quantity: 3 });
    expect(await levelOf(iid, wh)).toMatchObject({ reserved_quantity: 0, available_quantity: 3 });
    expect((await api.get(`/admin/reservations?inventory_item_id=${iid}`)).body.count).toBe(0);
  });

  test('safety stock is not available for reservation', async () => {
    const { wh, iid } = await stock(10);
    await api.post(`/admin/inventory-items/${iid}/location-levels/${wh}`, { safety_stock: 8 });
    expect((await reserve(iid, wh, 3)).status).toBe(400);
    expect((await reserve(iid, wh, 2)).status).toBe(200);
  });

  test('backorders: unbounded when allowed without a limit; down to −limit with one', async () => {
    const open = await stock(1, { allow_backorder: true });
    expect((await reserve(open.iid, open.wh, 50)).status).toBe(200);
    expect((await levelOf(open.iid, open.wh)).available_quantity).toBe(-49);
    const bounded = await stock(1, { allow_backorder: true, backorder_limit: 3 });
    expect((await reserve(bounded.iid, bounded.wh, 4)).status).toBe(200);
    const over = await reserve(bounded.iid, bounded.wh, 1);
    expect(over.status).toBe(400);
    expect(over.body.code).toBe('INSUFFICIENT_STOCK');
    // switching backorders off applies to the next reservation at once
    await api.post(`/admin/inventory-items/${open.iid}`, { allow_backorder: false });
    expect((await reserve(open.iid, open.wh, 1)).status).toBe(400);
  });

  test('bad quantities are INVALID_QUANTITY naming quantity (a negative one 400 as Medusa, the others 422); nothing reserved', async () => {
    const { wh, iid } = await stock(10);
    for (const [q, status] of [
      [0, 422],
      [-1, 400],
      [1.5, 422],
      [5324804697620480, 422],
    ]) {
      const res = await reserve(iid, wh, q);
      expect([q, res.status]).toEqual([q, status]);
      expect(res.body).toMatchObject({ type: 'invalid_data', code: 'INVALID_QUANTITY' });
      expect(res.body.message).toContain('quantity');
    }
    expect((await reserve(iid, wh, '2')).status).toBe(400);
    expect((await levelOf(iid, wh)).reserved_quantity).toBe(0);
  });

  test('an unknown item is 404 INVENTORY_NOT_FOUND; a location without a level is 404', async () => {
    const { wh, iid } = await stock(10);
    expect((await reserve('iitem_none', wh, 1)).body.code).toBe('INVENTORY_NOT_FOUND');
    const elsewhere = (await api.post('/admin/stock-locations', { name: 'empty' })).body.stock_location.id;
    const res = await reserve(iid, elsewhere, 1);
    expect(res.status).toBe(404);
    expect(res.body.message).toContain(elsewhere);
  });

  test('a key with reservations:write may reserve; one with inventory:read only may not', async () => {
    const { wh, iid } = await stock(10);
    const reserver = await api.keyWith(['reservations:write'], 'checkout');
    const reader = await api.keyWith(['inventory:read']);
    const ok = await api.request('POST', '/admin/reservations', { inventory_item_id: iid, location_id: wh, quantity: 1 }, { key: reserver });
    expect(ok.status).toBe(200);
    expect(ok.body.reservation.created_by).toBe('checkout');
    expect((await api.request('POST', '/admin/reservations', { inventory_item_id: iid, location_id: wh, quantity: 1 }, { key: reader })).status).toBe(403);
  });
});

describe('changing a reservation', () => {
  test('a larger quantity is checked against what is available; a smaller one gives stock back', async () => {
    const { wh, iid } = await stock(10);
    const id = (await reserve(iid, wh, 4)).body.reservation.id;
    const up = await api.post(`/admin/reservations/${id}`, { quantity: 10 });
    expect(up.status).toBe(200);
    expect(await levelOf(iid, wh)).toMatchObject({ reserved_quantity: 10, available_quantity: 0 });
    const tooMuch = await api.post(`/admin/reservations/${id}`, { quantity: 11 });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.code).toBe('INSUFFICIENT_STOCK');
    expect((await api.get(`/admin/reservations/${id}`)).body.reservation.quantity).toBe(10);
    expect((await api.post(`/admin/reservations/${id}`, { quantity: 3 })).body.reservation.quantity).toBe(3);
    expect(await levelOf(iid, wh)).toMatchObject({ reserved_quantity: 3, available_quantity: 7 });
  });

  test('moving it to another location releases here and reserves there in one step, checked there', async () => {
    const { wh, iid } = await stock(10);
    const wh2 = (await api.post('/admin/stock-locations', { name: 'W2' })).body.stock_location.id;
    await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh2, stocked_quantity: 2 });
    const id = (await reserve(iid, wh, 3)).body.reservation.id;
    const refused = await api.post(`/admin/reservations/${id}`, { location_id: wh2 });
    expect(refused.status).toBe(400);
    expect(await levelOf(iid, wh)).toMatchObject({ reserved_quantity: 3 });
    expect(await levelOf(iid, wh2)).toMatchObject({ reserved_quantity: 0 });
    const moved = await api.post(`/admin/reservations/${id}`, { location_id: wh2, quantity: 2 });
    expect(moved.status).toBe(200);
    expect(moved.body.reservation).toMatchObject({ location_id: wh2, quantity: 2 });
    expect(await levelOf(iid, wh)).toMatchObject({ reserved_quantity: 0, available_quantity: 10 });
    expect(await levelOf(iid, wh2)).toMatchObject({ reserved_quantity: 2, available_quantity: 0 });
  });

  test('description, metadata and expires_at change without touching stock', async () => {
    const { wh, iid } = await stock(5);
    const id = (await reserve(iid, wh, 1)).body.reservation.id;
    const res = await api.post(`/admin/reservations/${id}`, { description: 'cart 9', metadata: { a: 1 }, expires_at: null });
    expect(res.body.reservation).toMatchObject({ description: 'cart 9', metadata: { a: 1 }, expires_at: null });
    expect((await api.post(`/admin/reservations/${id}`, { expires_at: 'tomorrow' })).status).toBe(400);
    expect((await api.post('/admin/reservations/res_none', { quantity: 1 })).status).toBe(404);
  });
});

describe('releasing and fulfilling', () => {
  test("DELETE releases the quantity and answers Medusa's shape; a second DELETE is 404", async () => {
    const { wh, iid } = await stock(5);
    const id = (await reserve(iid, wh, 2)).body.reservation.id;
    const res = await api.del(`/admin/reservations/${id}`);
    expect(res.body).toEqual({ id, object: 'reservation', deleted: true });
    expect(await levelOf(iid, wh)).toMatchObject({ reserved_quantity: 0, available_quantity: 5 });
    expect((await api.del(`/admin/reservations/${id}`)).status).toBe(404);
    expect((await api.get(`/admin/reservations/${id}`)).status).toBe(404);
  });

  test('fulfil consumes it: stocked and reserved drop by its quantity, available stays, one ledger row "fulfillment"', async () => {
    const { wh, iid } = await stock(10);
    const id = (await reserve(iid, wh, 3, { line_item_id: 'line_9' })).body.reservation.id;
    const res = await api.post(`/admin/reservations/${id}/fulfill`);
    expect(res.status).toBe(200);
    expect(res.body.location_level).toMatchObject({ stocked_quantity: 7, reserved_quantity: 0, available_quantity: 7 });
    expect(await levelOf(iid, wh)).toMatchObject({ stocked_quantity: 7, reserved_quantity: 0, available_quantity: 7 });
    const rows = (await ledgerRows(api.tenant, iid)).filter((r) => r.reason === 'fulfillment');
    expect(rows).toEqual([expect.objectContaining({ before_quantity: 10, after_quantity: 7, delta: -3, reference: 'line_9', warehouse_id: wh })]);
    expect((await api.post(`/admin/reservations/${id}/fulfill`)).status).toBe(404);
  });

  test('fulfilling more than is stocked (stock was reduced below the reservation) is 400 NEGATIVE_QUANTITY; nothing changed', async () => {
    const { wh, iid } = await stock(5);
    const id = (await reserve(iid, wh, 4)).body.reservation.id;
    await api.post(`/admin/inventory-items/${iid}/location-levels/${wh}`, { stocked_quantity: 2 });
    const res = await api.post(`/admin/reservations/${id}/fulfill`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('NEGATIVE_QUANTITY');
    expect(await levelOf(iid, wh)).toMatchObject({ stocked_quantity: 2, reserved_quantity: 4, available_quantity: -2 });
    expect((await api.get(`/admin/reservations/${id}`)).status).toBe(200);
  });
});

describe("Medusa's reads of a reservation", () => {
  test('a reservation embeds its inventory_item (fields and sums, no levels) by default; fields trims it or adds the levels; q searches description and sku; order sorts', async () => {
    const t = await api.otherTenant();
    const wid = (await api.post('/admin/stock-locations', { name: 'R' }, t.key)).body.stock_location.id;
    const iids: string[] = [];
    for (const sku of ['EMB-A', 'EMB-B']) {
      const iid = (await api.post('/admin/inventory-items', { sku }, t.key)).body.inventory_item.id;
      await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wid, stocked_quantity: 10 }, t.key);
      iids.push(iid);
    }
    const r1 = (await api.post('/admin/reservations', { inventory_item_id: iids[0], location_id: wid, quantity: 3, description: 'gift wrap' }, t.key)).body
      .reservation;
    expect(r1.inventory_item).toMatchObject({ id: iids[0], sku: 'EMB-A', stocked_quantity: 10, reserved_quantity: 3 });
    const r2 = (await api.post('/admin/reservations', { inventory_item_id: iids[1], location_id: wid, quantity: 1 }, t.key)).body.reservation;
    const got = (await api.get(`/admin/reservations/${r1.id}`, t.key)).body.reservation;
    expect(got.inventory_item).toMatchObject({ id: iids[0], stocked_quantity: 10, reserved_quantity: 3 });
    expect(got.inventory_item).not.toHaveProperty('location_levels');
    // without the sums the item is read by BatchGet; a plain list replaces the defaults
    expect((await api.get(`/admin/reservations/${r1.id}?fields=id,inventory_item.sku`, t.key)).body.reservation).toEqual({
      id: r1.id,
      inventory_item: { id: iids[0], sku: 'EMB-A' },
    });
    const levels = (await api.get(`/admin/reservations/${r1.id}?fields=*inventory_item.location_levels`, t.key)).body.reservation;
    expect(levels.inventory_item.location_levels).toEqual([expect.objectContaining({ location_id: wid, reserved_quantity: 3 })]);
    const list = async (q: string) => (await api.get(`/admin/reservations?${q}`, t.key)).body.reservations.map((r: any) => r.id);
    expect(await list('q=GIFT')).toEqual([r1.id]);
    expect(await list('q=emb-b')).toEqual([r2.id]);
    expect(await list('order=quantity')).toEqual([r2.id, r1.id]);
    expect(await list('order=-quantity')).toEqual([r1.id, r2.id]);
    const page = (await api.get('/admin/reservations?order=created_at', t.key)).body.reservations;
    expect(page.map((r: any) => [r.id, r.inventory_item.sku, r.inventory_item.reserved_quantity])).toEqual([
      [r1.id, 'EMB-A', 3],
      [r2.id, 'EMB-B', 1],
    ]);
  });
});

describe('listing reservations', () => {
  test('filters by item, location and line item, with a correct count and paging', async () => {
    const a = await stock(50);
    const b = await stock(50);
    for (let i = 0; i < 5; i++) await reserve(a.iid, a.wh, 1, { line_item_id: i < 2 ? 'line_x' : `line_a${i}` });
    for (let i = 0; i < 3; i++) await reserve(b.iid, b.wh, 1, { line_item_id: 'line_x' });
    expect((await api.get(`/admin/reservations?inventory_item_id=${a.iid}`)).body.count).toBe(5);
    expect((await api.get(`/admin/reservations?inventory_item_id=${a.iid},${b.iid}`)).body.count).toBe(8);
    expect((await api.get(`/admin/reservations?location_id=${b.wh}`)).body.count).toBe(3);
    expect((await api.get('/admin/reservations?line_item_id=line_x')).body.count).toBe(5);
    expect((await api.get(`/admin/reservations?line_item_id=line_x&inventory_item_id=${b.iid}`)).body.count).toBe(3);
    const page1 = await api.get(`/admin/reservations?inventory_item_id=${a.iid}&limit=2`);
    const page2 = await api.get(`/admin/reservations?inventory_item_id=${a.iid}&limit=2&offset=2`);
    expect(page1.body).toMatchObject({ count: 5, limit: 2, offset: 0 });
    expect(page1.body.reservations).toHaveLength(2);
    const ids = [...page1.body.reservations, ...page2.body.reservations].map((r: { id: string }) => r.id);
    expect(new Set(ids).size).toBe(4);
  });

  test("the JS SDK's array encoding (x[0]=a&x[1]=b) and x[]=a filter like a comma list", async () => {
    const a = await stock(10);
    const b = await stock(10);
    await reserve(a.iid, a.wh, 1);
    await reserve(b.iid, b.wh, 2);
    const both = await api.get(`/admin/reservations?inventory_item_id%5B0%5D=${a.iid}&inventory_item_id%5B1%5D=${b.iid}`);
    expect(both.body.count).toBe(2);
    expect(both.body.reservations.map((r: any) => r.inventory_item_id).sort()).toEqual([a.iid, b.iid].sort());
    const one = await api.get(`/admin/reservations?location_id%5B%5D=${b.wh}`);
    expect(one.body.reservations.map((r: any) => r.quantity)).toEqual([2]);
    // an id the tenant does not have narrows to nothing: the filter is read, not dropped
    expect((await api.get(`/admin/reservations?location_id%5B0%5D=wh_nowhere`)).body.count).toBe(0);
  });

  describe("Medusa's filters (its own tests' queries), on the rows the list reads", () => {
    let iid: string;
    let first: any;
    let second: any;
    let third: any;
    beforeAll(async () => {
      const s1 = await stock(100);
      iid = s1.iid;
      first = (await reserve(iid, s1.wh, 2, { line_item_id: 'line-item-id-1' })).body.reservation;
      await new Promise((r) => setTimeout(r, 5));
      second = (await reserve(iid, s1.wh, 1, { line_item_id: 'line-item-id-2', description: 'test description' })).body.reservation;
      await new Promise((r) => setTimeout(r, 5));
      third = (await reserve(iid, s1.wh, 5, { description: 'Other Description' })).body.reservation;
    });
    const ids = async (query: string) => {
      const res = await api.get(`/admin/reservations?inventory_item_id=${iid}&${query}`);
      expect(res.status).toBe(200);
      expect(res.body.count).toBe(res.body.reservations.length);
      return res.body.reservations.map((r: any) => r.id).sort();
    };
    const sorted = (...rs: any[]) => rs.map((r) => r.id).sort();

    test('quantity, quantity[$gt|$gte|$lt|$lte]', async () => {
      expect(await ids('quantity%5B%24gt%5D=1')).toEqual(sorted(first, third));
      expect(await ids('quantity[$gte]=2&quantity[$lt]=5')).toEqual(sorted(first));
      expect(await ids('quantity[$lte]=2')).toEqual(sorted(first, second));
      expect(await ids('quantity=5')).toEqual(sorted(third));
    });

    test('created_at and updated_at ranges (ISO date-times or dates)', async () => {
      expect(await ids(`created_at[$gte]=${encodeURIComponent(new Date(second.created_at).toISOString())}`)).toEqual(sorted(second, third));
      expect(await ids(`created_at[$lt]=${encodeURIComponent(second.created_at)}`)).toEqual(sorted(first));
      expect(await ids(`updated_at[$gt]=${encodeURIComponent(third.updated_at)}`)).toEqual([]);
      expect(await ids('created_at[$gte]=2000-01-01&created_at[$lte]=2999-12-31')).toEqual(sorted(first, second, third));
    });

    test('description exact, $like (case-sensitive) and $ilike with % and _', async () => {
      expect(await ids('description=test%20description')).toEqual(sorted(second));
      expect(await ids('description=description')).toEqual([]);
      expect(await ids('description[$ilike]=%25descri%25')).toEqual(sorted(second, third));
      expect(await ids('description[$ilike]=test%25')).toEqual(sorted(second));
      expect(await ids('description[$ilike]=description%25')).toEqual([]);
      expect(await ids('description[$ilike]=%25test')).toEqual([]);
      expect(await ids('description[$ilike]=%25description')).toEqual(sorted(second, third));
      expect(await ids('description[$like]=%25description')).toEqual(sorted(second));
      expect(await ids('description[$ilike]=other_description')).toEqual(sorted(third));
    });

    test('count and pages are of the matches: a filtered page is never short', async () => {
      const page = await api.get(`/admin/reservations?inventory_item_id=${iid}&quantity[$gt]=1&limit=1&offset=1`);
      expect(page.body).toMatchObject({ count: 2, limit: 1, offset: 1 });
      expect(page.body.reservations).toHaveLength(1);
    });

    test('a filter or operator the list does not take is a 400 naming it ($ne, $eq on a date, deleted_at, an order it does not take, a relation it does not have), a bad value a 400 too', async () => {
      for (const [query, named] of [
        ['deleted_at[$gte]=2026-01-01', 'deleted_at[$gte]'],
        ['order=line_item_id', 'order'],
        ['fields=*location', 'location'],
        ['quantity[$ne]=1', 'quantity[$ne]'],
        ['created_at[$eq]=2026-01-01', 'created_at[$eq]'],
        ['metadata[cart]=c1', 'metadata[cart]'],
      ]) {
        const res = await api.get(`/admin/reservations?${query}`);
        expect([query, res.status]).toEqual([query, 400]);
        expect(res.body).toMatchObject({ type: 'invalid_data', code: 'VALIDATION_ERROR' });
        expect(res.body.message).toContain(named);
      }
      for (const query of ['quantity[$gt]=-1', 'quantity[$gt]=one', 'created_at[$gte]=yesterday']) {
        const res = await api.get(`/admin/reservations?${query}`);
        expect([query, res.status]).toEqual([query, 400]);
      }
    });
  });
});
