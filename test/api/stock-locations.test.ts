import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

const create = (body: Record<string, unknown>) => api.post('/admin/stock-locations', body);

test('a stock location is created with its address, type and flags, and read back', async () => {
  const res = await create({
    name: 'Warehouse A',
    address: { address_1: '1 Dock Rd', city: 'Hamburg', country_code: 'DE', postal_code: '20457' },
    type: '3PL',
    marketplace: 'EU',
    priority: 5,
    metadata: { dock: 7 },
  });
  expect(res.status).toBe(200);
  const wh = res.body.stock_location;
  expect(wh).toMatchObject({
    id: expect.stringMatching(/^wh_/),
    name: 'Warehouse A',
    type: '3PL',
    marketplace: 'EU',
    priority: 5,
    is_active: true,
    is_readonly: false,
    address: { city: 'Hamburg', country_code: 'DE' },
    metadata: { dock: 7 },
  });
  expect((await api.get(`/admin/stock-locations/${wh.id}`)).body.stock_location).toEqual(wh);
});

test('FBA and FBS locations are read-only unless said otherwise', async () => {
  expect((await create({ name: 'FBA EU', type: 'FBA' })).body.stock_location.is_readonly).toBe(true);
  expect((await create({ name: 'FBS', type: 'FBS', is_readonly: false })).body.stock_location.is_readonly).toBe(false);
});

test('bad fields are named: missing name, unknown type, 3-letter country code, negative priority', async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{}, 'name'],
    [{ name: 'x', type: 'cave' }, 'type'],
    [{ name: 'x', address: { country_code: 'DEU' } }, 'address.country_code'],
    [{ name: 'x', priority: -1 }, 'priority'],
    [{ name: '' }, 'name'],
  ];
  for (const [body, field] of cases) {
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
  }
});

test('the list has a count, pages with offset/limit, filters by q, highest priority first', async () => {
  const fresh = await api.otherTenant();
  for (const [name, priority] of [
    ['Alpha', 1],
    ['Beta', 9],
    ['Gamma store', 5],
  ] as const) {
    await api.post('/admin/stock-locations', { name, priority }, fresh.key);
  }
  const all = await api.get('/admin/stock-locations', fresh.key);
  expect(all.body).toMatchObject({ count: 3, offset: 0, limit: 15 });
  expect(all.body.stock_locations.map((l: { name: string }) => l.name)).toEqual(['Beta', 'Gamma store', 'Alpha']);
  expect((await api.get('/admin/stock-locations?limit=1&offset=1', fresh.key)).body.stock_locations[0].name).toBe('Gamma store');
  expect((await api.get('/admin/stock-locations?q=STORE', fresh.key)).body.count).toBe(1);
});

test("name filters by the exact name (Medusa's ?name=), one or a list in any encoding; other filters are a 400 naming them", async () => {
  const fresh = await api.otherTenant();
  for (const name of ['Test Location 1', 'Test Location 2', 'Dock, East']) await api.post('/admin/stock-locations', { name }, fresh.key);
  const names = async (query: string) => {
    const res = await api.get(`/admin/stock-locations?${query}`, fresh.key);
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(res.body.stock_locations.length);
    return res.body.stock_locations.map((l: { name: string }) => l.name).sort();
  };
  expect(await names('name=Test%20Location%201')).toEqual(['Test Location 1']);
  expect(await names('name=Test%20Location')).toEqual([]);
  expect(await names('name=test%20location%201')).toEqual([]); // exact: case counts (q is the loose one)
  expect(await names('name%5B0%5D=Test%20Location%201&name%5B1%5D=Test%20Location%202')).toEqual(['Test Location 1', 'Test Location 2']);
  expect(await names('name[]=Test%20Location%202')).toEqual(['Test Location 2']);
  expect(await names('name=Dock%2C%20East')).toEqual(['Dock, East']); // a name holding a comma matches as a whole
  expect(await names('q=ation%201')).toEqual(['Test Location 1']);
  expect(await names('q=location&name=Test%20Location%202&limit=1')).toEqual(['Test Location 2']);
  for (const query of ['sales_channel_id=sc_1', 'name[$ilike]=%25Test%25', 'address_id=a', 'fields=*sales_channels', 'order=address']) {
    const res = await api.get(`/admin/stock-locations?${query}`, fresh.key);
    expect([query, res.status]).toEqual([query, 400]);
    expect(res.body.message).toContain(query.split('=')[0]);
  }
});

test('an update changes what it names; an unknown location is 404 WAREHOUSE_NOT_FOUND', async () => {
  const wh = (await create({ name: 'Old' })).body.stock_location;
  const res = await api.post(`/admin/stock-locations/${wh.id}`, { name: 'New', is_readonly: true });
  expect(res.body.stock_location).toMatchObject({ id: wh.id, name: 'New', is_readonly: true, type: 'own' });
  const missing = await api.post('/admin/stock-locations/wh_none', { name: 'x' });
  expect(missing.status).toBe(404);
  expect(missing.body.code).toBe('WAREHOUSE_NOT_FOUND');
  expect((await api.get('/admin/stock-locations/wh_none')).status).toBe(404);
});

test('delete is refused while a level there holds stock or reservations; allowed once empty, taking empty levels with it', async () => {
  const wh = (await create({ name: 'To close' })).body.stock_location.id;
  const iid = (await api.post('/admin/inventory-items', { sku: 'SL-DEL' })).body.inventory_item.id;
  const empty = (await api.post('/admin/inventory-items', { sku: 'SL-EMPTY' })).body.inventory_item.id;
  await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh, stocked_quantity: 2 });
  await api.post(`/admin/inventory-items/${empty}/location-levels`, { location_id: wh });
  const res = await api.del(`/admin/stock-locations/${wh}`);
  expect(res.status).toBe(409);
  expect(res.body.type).toBe('conflict');
  expect((await api.get(`/admin/stock-locations/${wh}`)).status).toBe(200);
  // stock moved out, but a reservation still holds the location
  await api.post(`/admin/inventory-items/${iid}/location-levels/${wh}`, { stocked_quantity: 1 });
  const r = await api.post('/admin/reservations', { inventory_item_id: iid, location_id: wh, quantity: 1 });
  await api.post(`/admin/inventory-items/${iid}/location-levels/${wh}`, { stocked_quantity: 0 });
  expect((await api.del(`/admin/stock-locations/${wh}`)).status).toBe(409);
  await api.del(`/admin/reservations/${r.body.reservation.id}`);
  const ok = await api.del(`/admin/stock-locations/${wh}`);
  expect(ok.status).toBe(200);
  expect(ok.body).toEqual({ id: wh, object: 'stock_location', deleted: true });
  expect((await api.get(`/admin/stock-locations/${wh}`)).status).toBe(404);
  expect((await api.get(`/admin/inventory-items/${iid}`)).body.inventory_item.location_levels).toEqual([]);
  expect((await api.get(`/admin/inventory-items/${empty}`)).body.inventory_item.location_levels).toEqual([]);
  expect((await api.del(`/admin/stock-locations/${wh}`)).status).toBe(404);
});

test("Medusa's address: its own id and every field, null where not set; fields trims the location and its address; order sorts", async () => {
  const t = await api.otherTenant();
  const made = (await api.post('/admin/stock-locations', { name: 'Zeta', address: { address_1: 'Dock 1', country_code: 'US' } }, t.key)).body.stock_location;
  expect(made.address).toEqual({
    id: expect.stringMatching(/^laddr_/),
    address_1: 'Dock 1',
    address_2: null,
    company: null,
    city: null,
    country_code: 'US',
    phone: null,
    province: null,
    postal_code: null,
    metadata: null,
  });
  const read = (await api.get(`/admin/stock-locations/${made.id}`, t.key)).body.stock_location;
  expect(read.address).toEqual(made.address);
  expect((await api.get(`/admin/stock-locations/${made.id}?fields=name,address.city`, t.key)).body.stock_location).toEqual({
    id: made.id,
    name: 'Zeta',
    address: { id: made.address.id, city: null },
  });
  await api.post('/admin/stock-locations', { name: 'Alpha' }, t.key);
  const names = async (q: string) => (await api.get(`/admin/stock-locations?${q}`, t.key)).body.stock_locations.map((l: any) => l.name);
  expect(await names('order=name')).toEqual(['Alpha', 'Zeta']);
  expect(await names('order=-name')).toEqual(['Zeta', 'Alpha']);
  expect(await names('order=-created_at&fields=name')).toEqual(['Alpha', 'Zeta']);
  expect((await api.get('/admin/stock-locations?fields=name', t.key)).body.stock_locations[0]).toEqual({ id: expect.any(String), name: expect.any(String) });
});
