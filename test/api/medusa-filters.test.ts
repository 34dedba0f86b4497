/**
 * Issue 24, item 5: each Medusa filter of the admin lists works on the HTTP route, and what it does not
 * take (an operator, a neighbour field) is a 400 naming it — never ignored. One tenant, a few records.
 */
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

test('reservation q, quantity[$gt], created_at[$gte], description, description[$ilike]; stock-location name; item location_levels[location_id] and q over description — each filters, and an operator it does not take is a 400 naming it', async () => {
  const t = await api.otherTenant();
  const wid = (await api.post('/admin/stock-locations', { name: 'North Dock' }, t.key)).body.stock_location.id;
  const other = (await api.post('/admin/stock-locations', { name: 'South Dock' }, t.key)).body.stock_location.id;
  const a = (await api.post('/admin/inventory-items', { sku: 'FLT-A', description: 'Organic cotton' }, t.key)).body.inventory_item.id;
  const b = (await api.post('/admin/inventory-items', { sku: 'FLT-B', description: 'Steel mug' }, t.key)).body.inventory_item.id;
  await api.post(`/admin/inventory-items/${a}/location-levels`, { location_id: wid, stocked_quantity: 10 }, t.key);
  await api.post(`/admin/inventory-items/${b}/location-levels`, { location_id: other, stocked_quantity: 10 }, t.key);
  const r1 = (await api.post('/admin/reservations', { inventory_item_id: a, location_id: wid, quantity: 1, description: 'Gift wrap' }, t.key)).body.reservation;
  const r2 = (await api.post('/admin/reservations', { inventory_item_id: b, location_id: other, quantity: 4, description: 'gift card' }, t.key)).body
    .reservation;

  const res = async (q: string) => {
    const r = await api.get(`/admin/reservations?${q}`, t.key);
    expect(r.status).toBe(200);
    return r.body.reservations.map((x: { id: string }) => x.id).sort();
  };
  expect(await res('q=WRAP')).toEqual([r1.id]);
  expect(await res('q=flt-b')).toEqual([r2.id]);
  expect(await res('quantity[$gt]=1')).toEqual([r2.id]);
  const since = await res(`created_at[$gte]=${encodeURIComponent(r2.created_at)}`);
  expect(since).toContain(r2.id);
  if (r1.created_at < r2.created_at) expect(since).not.toContain(r1.id);
  expect(await res('created_at[$gte]=2999-01-01')).toEqual([]);
  expect(await res('description=Gift%20wrap')).toEqual([r1.id]);
  expect(await res('description=gift')).toEqual([]);
  expect(await res('description[$ilike]=GIFT%25')).toEqual([r1.id, r2.id].sort());

  const loc = async (q: string) => (await api.get(`/admin/stock-locations?${q}`, t.key)).body.stock_locations.map((l: { name: string }) => l.name);
  expect(await loc('name=North%20Dock')).toEqual(['North Dock']);
  expect(await loc('name=North')).toEqual([]);

  const items = async (q: string) => (await api.get(`/admin/inventory-items?${q}`, t.key)).body.inventory_items.map((i: { id: string }) => i.id);
  expect(await items(`location_levels[location_id]=${other}`)).toEqual([b]);
  expect(await items('q=ORGANIC')).toEqual([a]);

  // never silently ignored: what a list does not take is a 400 that names it, and nothing is answered as if it were not there
  for (const [path, name] of [
    ['/admin/reservations?quantity[$ne]=1', 'quantity'],
    ['/admin/reservations?description[$nin]=x', 'description'],
    ['/admin/stock-locations?name[$ilike]=north', 'name'],
    ['/admin/inventory-items?location_levels[stocked_quantity]=1', 'location_levels'],
    ['/admin/inventory-items?description=Organic%20cotton', 'description'],
  ] as const) {
    const r = await api.get(path, t.key);
    expect([path, r.status]).toEqual([path, 400]);
    expect(r.body.message).toContain(name);
  }
});
