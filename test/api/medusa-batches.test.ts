/**
 * Medusa's batch routes (issue 24): levels of one item, levels across items, variant links, and an
 * item created with its levels. Each request is one transaction: all or nothing, exactly once with an
 * Idempotency-Key, every refusal a 4xx naming the operation's field.
 */
import { makeKey, startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';
import { ledgerRows } from '../support/ledger.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

const location = async (name = 'W') => (await api.post('/admin/stock-locations', { name })).body.stock_location.id as string;
const newItem = async (body: Record<string, unknown> = {}) =>
  (await api.post('/admin/inventory-items', { sku: `MB-${Math.random().toString(36).slice(2)}`, ...body })).body.inventory_item;
const levels = async (iid: string) => (await api.get(`/admin/inventory-items/${iid}`)).body.inventory_item.location_levels as any[];
const figures = async (iid: string) =>
  (await levels(iid))
    .map((l) => [l.location_id, l.stocked_quantity, l.incoming_quantity, l.reserved_quantity])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
const batchPath = (iid: string) => `/admin/inventory-items/${iid}/location-levels/batch`;
const sorted = <T>(xs: T[]) => [...xs].sort((a, b) => String(a).localeCompare(String(b)));

describe('POST /admin/inventory-items/{id}/location-levels/batch', () => {
  test('creates, updates and removes levels of the item in one request, answering Medusa’s created / updated / deleted and the item', async () => {
    const [a, b, c] = [await location('A'), await location('B'), await location('C')];
    const iid = (await newItem()).id;
    expect((await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: a, stocked_quantity: 10 })).status).toBe(200);
    expect((await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: c })).status).toBe(200);

    const res = await api.post(batchPath(iid), {
      create: [{ location_id: b, stocked_quantity: 7, incoming_quantity: 3 }],
      update: [{ location_id: a, stocked_quantity: 12, id: `ilev_${iid}:${a}` }],
      delete: [c],
    });
    expect(res.status).toBe(200);
    expect(res.body.created).toEqual([
      expect.objectContaining({ inventory_item_id: iid, location_id: b, stocked_quantity: 7, incoming_quantity: 3, available_quantity: 7 }),
    ]);
    expect(res.body.updated).toEqual([expect.objectContaining({ location_id: a, stocked_quantity: 12, available_quantity: 12 })]);
    expect(res.body.deleted).toEqual([`ilev_${iid}:${c}`]);
    expect(res.body.inventory_item.id).toBe(iid);
    expect(sorted(res.body.inventory_item.location_levels.map((l: any) => l.location_id))).toEqual(sorted([a, b]));
    expect(await figures(iid)).toEqual(
      [
        [a, 12, 0, 0],
        [b, 7, 3, 0],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
    // the ledger has every stock change: b's two initial rows and a's correction
    const rows = (await ledgerRows(api.tenant, iid)).map((r) => [r.warehouse_id, r.field, r.before_quantity, r.after_quantity]);
    expect(rows).toEqual(
      expect.arrayContaining([
        [b, 'stocked_quantity', 0, 7],
        [b, 'incoming_quantity', 0, 3],
        [a, 'stocked_quantity', 10, 12],
      ]),
    );
    // the deleted location counts no level of the item any more: it can be deleted
    expect((await api.del(`/admin/stock-locations/${c}`)).status).toBe(200);
  });

  test('`batch` is a route, not a location id: an empty batch changes nothing and answers empty lists', async () => {
    const iid = (await newItem()).id;
    const res = await api.post(batchPath(iid), {});
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: [], updated: [], deleted: [], inventory_item: { id: iid, location_levels: [] } });
  });

  test('all or nothing: a batch whose last operation is refused leaves nothing (no level, no ledger row)', async () => {
    const [a, b] = [await location(), await location()];
    const iid = (await newItem()).id;
    await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: a, stocked_quantity: 5 });
    const before = await ledgerRows(api.tenant, iid);
    const res = await api.post(batchPath(iid), {
      create: [{ location_id: b, stocked_quantity: 9 }],
      update: [{ location_id: a, stocked_quantity: 50 }],
      delete: ['wh_nowhere'],
    });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ type: 'not_found', details: [{ field: 'delete[0]' }] });
    expect(res.body.message).toMatch(/^delete\[0\]: /);
    expect(await figures(iid)).toEqual([[a, 5, 0, 0]]);
    expect(await ledgerRows(api.tenant, iid)).toEqual(before);
  });

  test('a level with reservations is not removed (400 not_allowed) and the whole batch changes nothing; stock needs force; incoming never', async () => {
    const [a, b, c] = [await location(), await location(), await location()];
    const iid = (await newItem()).id;
    await api.post(batchPath(iid), {
      create: [
        { location_id: a, stocked_quantity: 5 },
        { location_id: b, stocked_quantity: 4 },
        { location_id: c, incoming_quantity: 2 },
      ],
    });
    expect((await api.post('/admin/reservations', { inventory_item_id: iid, location_id: a, quantity: 1 })).status).toBe(200);

    const reserved = await api.post(batchPath(iid), { update: [{ location_id: b, stocked_quantity: 1 }], delete: [a], force: true });
    expect(reserved.status).toBe(400);
    expect(reserved.body).toMatchObject({ type: 'not_allowed', code: 'HAS_RESERVATIONS', details: [{ field: 'delete[0]' }] });
    expect(reserved.body.message).toContain('because there are reservations at location');

    const stocked = await api.post(batchPath(iid), { delete: [b] });
    expect(stocked.status).toBe(400);
    expect(stocked.body.message).toContain('stocked items');
    const incoming = await api.post(batchPath(iid), { delete: [c], force: true });
    expect(incoming.status).toBe(400);
    expect(incoming.body.message).toContain('incoming items');
    expect((await figures(iid)).map((f) => f[1])).toEqual(expect.arrayContaining([5, 4, 0]));
    expect(await levels(iid)).toHaveLength(3);

    const forced = await api.post(batchPath(iid), { delete: [b], force: true });
    expect(forced.status).toBe(200);
    expect(forced.body.deleted).toEqual([`ilev_${iid}:${b}`]);
    // the stock removed with it is written off in the ledger
    expect((await ledgerRows(api.tenant, iid)).some((r) => r.warehouse_id === b && r.before_quantity === 4 && r.after_quantity === 0)).toBe(true);
  });

  test('4xx naming the field: a level named twice, a wrong level id, a negative quantity, an existing level created, an unknown location, an unknown item, a level not there', async () => {
    const a = await location();
    const iid = (await newItem()).id;
    await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: a, stocked_quantity: 1 });
    const cases: [unknown, number, string][] = [
      [{ create: [{ location_id: a }], delete: [a] }, 400, 'delete[0]'],
      [{ update: [{ location_id: a, id: 'ilev_other:wh_x', stocked_quantity: 1 }] }, 400, 'update[0].id'],
      [{ update: [{ location_id: a, stocked_quantity: -1 }] }, 400, 'update.0.stocked_quantity'],
      [{ create: [{ location_id: a }] }, 409, 'create[0]'],
      [{ create: [{ location_id: 'wh_nowhere' }] }, 404, 'create[0]'],
      [{ update: [{ location_id: 'wh_nowhere', stocked_quantity: 1 }] }, 404, 'update[0]'],
      [{ delete: Array.from({ length: 101 }, () => a) }, 400, 'delete'],
      [{ remove: [a] }, 400, 'remove'],
    ];
    for (const [body, status, field] of cases) {
      const res = await api.post(batchPath(iid), body);
      expect([field, res.status]).toEqual([field, status]);
      expect(JSON.stringify(res.body)).toContain(field);
    }
    expect((await api.post(batchPath('iitem_nothing'), { create: [{ location_id: a }] })).status).toBe(404);
    expect(await figures(iid)).toEqual([[a, 1, 0, 0]]);
  });

  test('a batch too large for one transaction is refused before anything is written (400 naming the arrays)', async () => {
    const wids = await Promise.all(Array.from({ length: 40 }, (_, i) => location(`T${i}`)));
    const iid = (await newItem()).id;
    // each creation with stock and incoming is 4 writes (level, count, two ledger rows) + the item: 161 > 99
    const res = await api.post(batchPath(iid), { create: wids.map((w) => ({ location_id: w, stocked_quantity: 1, incoming_quantity: 1 })) });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^create, update, delete: this batch needs \d+ writes in one transaction/);
    expect(await levels(iid)).toEqual([]);
    // within the limit it is one transaction
    const ok = await api.post(batchPath(iid), { create: wids.slice(0, 20).map((w) => ({ location_id: w, stocked_quantity: 1, incoming_quantity: 1 })) });
    expect(ok.status).toBe(200);
    expect(await levels(iid)).toHaveLength(20);
  });

  test('a keyed batch replayed is applied once and answered the same way', async () => {
    const [a, b] = [await location(), await location()];
    const iid = (await newItem()).id;
    await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: a, stocked_quantity: 10 });
    const send = () =>
      api.request(
        'POST',
        batchPath(iid),
        { create: [{ location_id: b, stocked_quantity: 2 }], update: [{ location_id: a, stocked_quantity: 11 }] },
        { headers: { 'Idempotency-Key': `mb-${iid}` } },
      );
    const first = await send();
    const again = await send();
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body.created).toEqual(first.body.created);
    expect(again.body.updated).toEqual(first.body.updated);
    expect((await ledgerRows(api.tenant, iid)).filter((r) => r.warehouse_id === b)).toHaveLength(1);
    expect(await figures(iid)).toHaveLength(2);
  });

  test('a key limited to some warehouses may batch only there (403, nothing written)', async () => {
    const [a, b] = [await location(), await location()];
    const iid = (await newItem()).id;
    const key = await makeKey(api.tenant, ['inventory:write', 'inventory:read'], 'limited', [a]);
    expect((await api.post(batchPath(iid), { create: [{ location_id: a }] }, key)).status).toBe(200);
    const res = await api.post(batchPath(iid), { create: [{ location_id: b }], delete: [a] }, key);
    expect(res.status).toBe(403);
    expect((await levels(iid)).map((l) => l.location_id)).toEqual([a]);
  });

  test('a hot level is changed in a batch with its shards (parked units back on the level, in the same transaction)', async () => {
    const a = await location();
    const iid = (await newItem()).id;
    await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: a, stocked_quantity: 40 });
    expect((await api.post(`/admin/inventory-items/${iid}/location-levels/${a}`, { hot_shards: 4 })).status).toBe(200);
    const res = await api.post(batchPath(iid), { update: [{ location_id: a, stocked_quantity: 30 }] });
    expect(res.status).toBe(200);
    expect(res.body.updated[0]).toMatchObject({ stocked_quantity: 30, available_quantity: 30, reserved_quantity: 0 });
  });
});

describe('POST /admin/inventory-items/location-levels/batch (across items)', () => {
  test('levels of several items in one request; delete takes level ids', async () => {
    const [a, b] = [await location(), await location()];
    const [i1, i2] = [(await newItem()).id, (await newItem()).id];
    await api.post(`/admin/inventory-items/${i1}/location-levels`, { location_id: a, stocked_quantity: 3 });
    await api.post(`/admin/inventory-items/${i2}/location-levels`, { location_id: b });
    const res = await api.post('/admin/inventory-items/location-levels/batch', {
      create: [
        { inventory_item_id: i1, location_id: b, stocked_quantity: 1 },
        { inventory_item_id: i2, location_id: a, stocked_quantity: 2 },
      ],
      update: [{ inventory_item_id: i1, location_id: a, incoming_quantity: 6 }],
      delete: [`ilev_${i2}:${b}`],
    });
    expect(res.status).toBe(200);
    expect(res.body.created.map((l: any) => [l.inventory_item_id, l.location_id, l.stocked_quantity])).toEqual([
      [i1, b, 1],
      [i2, a, 2],
    ]);
    expect(res.body.updated).toEqual([expect.objectContaining({ inventory_item_id: i1, location_id: a, stocked_quantity: 3, incoming_quantity: 6 })]);
    expect(res.body.deleted).toEqual([`ilev_${i2}:${b}`]);
    expect(res.body.inventory_item).toBeUndefined();
    expect((await figures(i2)).map((f) => f[0])).toEqual([a]);
    // a hot level among them: its shards are read and their units come back in the same transaction
    expect((await api.post(`/admin/inventory-items/${i1}/location-levels/${a}`, { hot_shards: 2 })).status).toBe(200);
    const hot = await api.post('/admin/inventory-items/location-levels/batch', {
      update: [
        { inventory_item_id: i1, location_id: a, stocked_quantity: 2 },
        { inventory_item_id: i2, location_id: a, stocked_quantity: 5 },
      ],
    });
    expect(hot.status).toBe(200);
    expect(hot.body.updated.map((l: any) => [l.stocked_quantity, l.available_quantity])).toEqual([
      [2, 2],
      [5, 5],
    ]);
  });

  test('all or nothing across items: the last item unknown leaves the first untouched; a bad level id is 400', async () => {
    const a = await location();
    const i1 = (await newItem()).id;
    const res = await api.post('/admin/inventory-items/location-levels/batch', {
      create: [
        { inventory_item_id: i1, location_id: a, stocked_quantity: 1 },
        { inventory_item_id: 'iitem_gone', location_id: a },
      ],
    });
    expect(res.status).toBe(404);
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'create[1]' })]);
    expect(await levels(i1)).toEqual([]);
    const bad = await api.post('/admin/inventory-items/location-levels/batch', { delete: ['wh_not_a_level'] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('delete[0]');
  });
});

describe('POST /admin/inventory-items with location_levels', () => {
  test('creates the item and its levels in one write; a refused level leaves no item (its sku stays free)', async () => {
    const a = await location();
    const sku = `MB-NEW-${Math.random().toString(36).slice(2)}`;
    const refused = await api.post('/admin/inventory-items', {
      sku,
      location_levels: [{ location_id: a, stocked_quantity: 4 }, { location_id: 'wh_nowhere' }],
    });
    expect(refused.status).toBe(404);
    expect(refused.body.details).toEqual([expect.objectContaining({ field: 'location_levels[1]' })]);
    expect((await api.get(`/admin/inventory-items?sku=${sku}`)).body.count).toBe(0);

    const res = await api.post('/admin/inventory-items', { sku, location_levels: [{ location_id: a, stocked_quantity: 4, incoming_quantity: 1 }] });
    expect(res.status).toBe(200);
    expect(res.body.inventory_item).toMatchObject({
      sku,
      location_levels: [expect.objectContaining({ location_id: a, stocked_quantity: 4, incoming_quantity: 1 })],
    });
    const iid = res.body.inventory_item.id;
    expect((await ledgerRows(api.tenant, iid)).map((r) => [r.field, r.after_quantity]).sort()).toEqual([
      ['incoming_quantity', 1],
      ['stocked_quantity', 4],
    ]);
    // the level's warehouse counts it, and the level takes reservations
    expect((await api.del(`/admin/stock-locations/${a}`)).status).toBe(409);
    expect((await api.post('/admin/reservations', { inventory_item_id: iid, location_id: a, quantity: 4 })).status).toBe(200);
    // the sku is taken now
    expect((await api.post('/admin/inventory-items', { sku, location_levels: [{ location_id: a }] })).status).toBe(409);
    // update takes no location_levels (Medusa's AdminUpdateInventoryItem)
    expect((await api.post(`/admin/inventory-items/${iid}`, { location_levels: [] })).status).toBe(400);
  });
});

describe('POST /admin/inventory-items with location_levels, keyed', () => {
  test('replayed with the same Idempotency-Key: one item, one level, one ledger row; the same answer', async () => {
    const a = await location();
    const sku = `MB-KEYED-${Math.random().toString(36).slice(2)}`;
    const send = () =>
      api.request(
        'POST',
        '/admin/inventory-items',
        { sku, location_levels: [{ location_id: a, stocked_quantity: 6 }] },
        { headers: { 'Idempotency-Key': `mbk-${sku}` } },
      );
    const first = await send();
    const again = await send();
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body.inventory_item.id).toBe(first.body.inventory_item.id);
    expect(again.body.inventory_item.location_levels).toEqual(first.body.inventory_item.location_levels);
    expect((await api.get(`/admin/inventory-items?sku=${sku}`)).body.count).toBe(1);
    expect(await ledgerRows(api.tenant, first.body.inventory_item.id)).toHaveLength(1);
  });
});

describe('GET /admin/inventory-items/{id}/location-levels', () => {
  test("seed 000's inventory_item and Medusa's page in one body, location_id in every array encoding, limit and offset", async () => {
    const [a, b, c] = [await location(), await location(), await location()];
    const iid = (
      await newItem({
        location_levels: [
          { location_id: a, stocked_quantity: 1 },
          { location_id: b, stocked_quantity: 2 },
          { location_id: c, stocked_quantity: 3 },
        ],
      })
    ).id;
    const all = await api.get(`/admin/inventory-items/${iid}/location-levels`);
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ count: 3, offset: 0, limit: 50, inventory_item: { id: iid } });
    expect(all.body.inventory_levels).toEqual(all.body.inventory_item.location_levels);
    for (const q of [`location_id=${a},${c}`, `location_id[]=${a}&location_id[]=${c}`, `location_id[0]=${a}&location_id[1]=${c}`]) {
      const res = await api.get(`/admin/inventory-items/${iid}/location-levels?${q}`);
      expect([q, res.status, res.body.count]).toEqual([q, 200, 2]);
      expect(sorted(res.body.inventory_levels.map((l: any) => l.location_id))).toEqual(sorted([a, c]));
    }
    const page = await api.get(`/admin/inventory-items/${iid}/location-levels?limit=1&offset=1`);
    expect(page.body).toMatchObject({ count: 3, limit: 1, offset: 1 });
    expect(page.body.inventory_levels).toEqual([all.body.inventory_levels[1]]);
    expect(page.body.inventory_item.location_levels).toHaveLength(3);
    expect((await api.get(`/admin/inventory-items/${iid}/location-levels?limit=x`)).status).toBe(400);
    expect((await api.get(`/admin/inventory-items/${iid}/location-levels?stocked_quantity=1`)).status).toBe(400);
  });
});

describe('POST /admin/products/{id}/variants/inventory-items/batch', () => {
  test('creates, updates and removes links in one request; answers Medusa’s link definitions', async () => {
    const [i1, i2, i3] = [(await newItem()).id, (await newItem()).id, (await newItem()).id];
    expect((await api.post(`/admin/products/prod_b/variants/variant_b1/inventory-items`, { inventory_item_id: i3 })).status).toBe(200);
    const res = await api.post('/admin/products/prod_b/variants/inventory-items/batch', {
      create: [
        { variant_id: 'variant_b1', inventory_item_id: i1, required_quantity: 2 },
        { variant_id: 'variant_b2', inventory_item_id: i1, required_quantity: 1 },
        { variant_id: 'variant_b2', inventory_item_id: i2, required_quantity: 3 },
      ],
      delete: [{ variant_id: 'variant_b1', inventory_item_id: i3 }],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      created: [
        { Product: { variant_id: 'variant_b1' }, Inventory: { inventory_item_id: i1 }, data: { required_quantity: 2 } },
        { Product: { variant_id: 'variant_b2' }, Inventory: { inventory_item_id: i1 }, data: { required_quantity: 1 } },
        { Product: { variant_id: 'variant_b2' }, Inventory: { inventory_item_id: i2 }, data: { required_quantity: 3 } },
      ],
      updated: [],
      deleted: [{ Product: { variant_id: 'variant_b1' }, Inventory: { inventory_item_id: i3 } }],
    });
    const v1 = (await api.get('/admin/products/prod_b/variants/variant_b1')).body.variant;
    expect(v1.inventory_items.map((l: any) => [l.inventory_item_id, l.required_quantity])).toEqual([[i1, 2]]);
    const v2 = (await api.get('/admin/products/prod_b/variants/variant_b2')).body.variant;
    expect(sorted(v2.inventory_items.map((l: any) => `${l.inventory_item_id}:${l.required_quantity}`))).toEqual(sorted([`${i1}:1`, `${i2}:3`]));

    // update, and a create of an existing link (Medusa accepts it: its required_quantity is set)
    const again = await api.post('/admin/products/prod_b/variants/inventory-items/batch', {
      create: [{ variant_id: 'variant_b1', inventory_item_id: i1, required_quantity: 5 }],
      update: [{ variant_id: 'variant_b2', inventory_item_id: i2, required_quantity: 4 }],
    });
    expect(again.status).toBe(200);
    expect((await api.get('/admin/products/prod_b/variants/variant_b1')).body.variant.inventory_items.map((l: any) => l.required_quantity)).toEqual([5]);
    const v2b = (await api.get('/admin/products/prod_b/variants/variant_b2')).body.variant;
    expect(v2b.inventory_items.find((l: any) => l.inventory_item_id === i2).required_quantity).toBe(4);
  });

  test('all or nothing: an unknown item, a link not there, a pair named twice: 4xx naming the field, no link changed', async () => {
    const i1 = (await newItem()).id;
    const create = [{ variant_id: 'variant_c1', inventory_item_id: i1, required_quantity: 1 }];
    const cases: [unknown, number, string][] = [
      [{ create: [...create, { variant_id: 'variant_c1', inventory_item_id: 'iitem_gone', required_quantity: 1 }] }, 404, 'create[1]'],
      [{ create, delete: [{ variant_id: 'variant_c1', inventory_item_id: 'iitem_other' }] }, 404, 'delete[0]'],
      [{ create, update: [{ variant_id: 'variant_c9', inventory_item_id: i1, required_quantity: 2 }] }, 404, 'update[0]'],
      [{ create, delete: [{ variant_id: 'variant_c1', inventory_item_id: i1 }] }, 400, 'delete[0]'],
      [{ create: [{ variant_id: 'variant_c1', inventory_item_id: i1, required_quantity: 0 }] }, 422, 'create.0.required_quantity'],
      [{ create: [{ variant_id: 'variant_c1', inventory_item_id: i1 }] }, 400, 'create.0.required_quantity'],
    ];
    for (const [body, status, field] of cases) {
      const res = await api.post('/admin/products/prod_c/variants/inventory-items/batch', body);
      expect([field, res.status]).toEqual([field, status]);
      expect(JSON.stringify(res.body)).toContain(field);
    }
    expect((await api.get('/admin/products/prod_c/variants/variant_c1')).status).toBe(404);
  });

  test('a keyed link batch replayed is applied once', async () => {
    const i1 = (await newItem()).id;
    const body = { create: [{ variant_id: 'variant_d1', inventory_item_id: i1, required_quantity: 2 }] };
    const send = () => api.request('POST', '/admin/products/prod_d/variants/inventory-items/batch', body, { headers: { 'Idempotency-Key': `mbl-${i1}` } });
    const first = await send();
    const again = await send();
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body).toEqual(first.body);
    const v = (await api.get('/admin/products/prod_d/variants/variant_d1')).body.variant;
    expect(v.inventory_items).toHaveLength(1);
  });
});
