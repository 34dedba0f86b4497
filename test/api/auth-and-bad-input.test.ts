/**
 * Generated from the route table, so a route is covered the day it is added: who may call it,
 * what another tenant learns (nothing), and what malformed input gets (a 4xx naming the problem).
 */
import { routes } from '../../functions/routes.ts';
import type { Route } from '../../functions/routes.ts';
import { makeKey, startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';
import { decorateClients, setClient, WRITE_COMMANDS } from '../../functions/store/db.ts';

let api: Api;
let other: { tenant: string; key: string };
const ids: Record<string, string> = {};

beforeAll(async () => {
  api = await startApi();
  other = await api.otherTenant();
  ids.wh = (await api.post('/admin/stock-locations', { name: 'Main' })).body.stock_location.id;
  ids.wh2 = (await api.post('/admin/stock-locations', { name: 'Second' })).body.stock_location.id;
  ids.item = (await api.post('/admin/inventory-items', { sku: 'AUTH-1', title: 'Auth item' })).body.inventory_item.id;
  await api.post(`/admin/inventory-items/${ids.item}/location-levels`, { location_id: ids.wh, stocked_quantity: 10 });
  ids.res = (await api.post('/admin/reservations', { inventory_item_id: ids.item, location_id: ids.wh, quantity: 1 })).body.reservation.id;
  ids.record = `ilev_${ids.item}:${ids.wh}`;
  ids.report = (await api.post('/api/reports/low-stock')).body.data.id;
  ids.key = (await api.post('/api/keys', { name: 'fixture', scopes: ['inventory:read'] })).body.data.id;
  const revoked = (await api.post('/api/keys', { name: 'revoked', scopes: ['inventory:read', 'inventory:write', 'reservations:write', 'keys:manage'] })).body
    .data;
  await api.del(`/api/keys/${revoked.id}`);
  ids.revokedKey = revoked.key;
  ids.upload = (await api.post('/api/inventory/uploads')).body.data.id;
  ids.product = 'prod_auth';
  ids.variant = 'variant_auth';
  await api.post(`/admin/products/${ids.product}/variants/${ids.variant}/inventory-items`, { inventory_item_id: ids.item });
  ids.hold = (await api.post('/api/holds', { reference: 'auth-order', lines: [{ sku: 'AUTH-1', quantity: 1 }] })).body.data.id;
  ids.inbound = (
    await api.post('/api/inbound', {
      type: 'purchase_order',
      reference: 'auth-po',
      warehouse_id: ids.wh,
      lines: [{ sku: 'AUTH-1', quantity: 5, expected_at: '2026-12-20' }],
    })
  ).body.data.id;
  // a transfer of 1 unit Main → Second, shipped (issue 25's shipments: receive, cancel and close have something to act on)
  ids.transfer = (
    await api.post('/api/transfers', {
      from_warehouse_id: ids.wh,
      to_warehouse_id: ids.wh2,
      lines: [{ sku: 'AUTH-1', quantity: 1 }],
      reference: 'auth-transfer',
    })
  ).body.data.id;
  expect((await api.post(`/api/transfers/${ids.transfer}/ship`)).status).toBe(200);
  // on every client made from now on: each function keeps its own credentials (the front's IAM check)
  decorateClients((client) =>
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (WRITE_COMMANDS.has(String(context.commandName))) accepted.push(`${context.commandName} ${JSON.stringify(args.input)}`);
        return out;
      },
      { step: 'initialize', name: 'acceptedWrites' },
    ),
  );
  setClient(undefined);
});
afterAll(async () => {
  decorateClients(undefined);
  setClient(undefined);
  await api.close();
});

/**
 * Every write DynamoDB accepted from this process (the local server runs the functions in it). A
 * refused call changes nothing: it makes no accepted write at all, except the authorizer's hourly
 * `last_used_at` on the caller's key. A write refused by its condition changed nothing and is not here.
 */
const accepted: string[] = [];
const isKeyTouch = (w: string) => w.startsWith('UpdateItemCommand ') && w.includes('"UpdateExpression":"SET last_used_at = :now"');
async function changesNothing<T>(call: () => Promise<T>): Promise<T> {
  accepted.length = 0;
  const out = await call();
  expect(accepted.filter((w) => !isKeyTouch(w))).toEqual([]);
  return out;
}

/** A real path of this tenant for the route. */
function pathFor(route: Route): string {
  return route.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    if (name === 'sku') return 'AUTH-1';
    if (name === 'id') {
      if (route.path.startsWith('/api/keys')) return ids.key;
      if (route.path.startsWith('/api/reports')) return ids.report;
      if (route.path.startsWith('/api/inventory/uploads')) return ids.upload;
      if (route.path.startsWith('/admin/reservations')) return ids.res;
      if (route.path.startsWith('/api/holds')) return ids.hold;
      if (route.path.startsWith('/api/inbound')) return ids.inbound;
      if (route.path.startsWith('/api/transfers')) return ids.transfer;
      if (route.path.startsWith('/admin/stock-locations') || route.path.startsWith('/api/warehouses')) return ids.wh;
      if (route.path.startsWith('/v1/inventory')) return ids.record;
      if (route.path.startsWith('/admin/products')) return ids.product;
      return ids.item;
    }
    if (name === 'location_id') return ids.wh;
    if (name === 'product_id') return ids.product;
    if (name === 'variant_id') return ids.variant;
    if (name === 'inventory_item_id') return ids.item;
    if (name === 'line') return '1';
    throw new Error(`no fixture for {${name}} in ${route.path}`);
  });
}

/** A body the route accepts, pointing at this tenant's records. */
function bodyFor(route: Route): unknown {
  const bodies: Record<string, unknown> = {
    'admin.items.create': { sku: `NEW-${Math.random()}` },
    'admin.items.update': { title: 'changed' },
    'admin.levels.create': { location_id: ids.wh2, stocked_quantity: 1 },
    'admin.levels.update': { stocked_quantity: 3 },
    'admin.levels.adjust': { adjustment: 1 },
    'admin.levels.batch': { update: [{ location_id: ids.wh, stocked_quantity: 3 }] },
    'admin.levels.batch-across': { update: [{ inventory_item_id: ids.item, location_id: ids.wh, stocked_quantity: 3 }] },
    'admin.reservations.create': { inventory_item_id: ids.item, location_id: ids.wh, quantity: 1 },
    'admin.reservations.update': { quantity: 2 },
    'admin.locations.create': { name: 'X' },
    'admin.locations.update': { name: 'Y' },
    'admin.variants.link': { inventory_item_id: ids.item, required_quantity: 2 },
    'admin.variants.update-link': { required_quantity: 2 },
    'admin.variants.batch': { create: [{ variant_id: ids.variant, inventory_item_id: ids.item, required_quantity: 2 }] },
    'inventory.set': { warehouse_id: ids.wh, quantity: 7 },
    'inventory.bulk': { updates: [{ sku: 'AUTH-1', warehouse_id: ids.wh, quantity: 8 }] },
    'inventory.transfer': { from_warehouse_id: ids.wh, to_warehouse_id: ids.wh2, quantity: 1 },
    'inventory.warehouses.create': { name: 'Z' },
    'inventory.warehouses.update': { name: 'Z2' },
    'records.create': { productId: 'prod_auth', warehouseId: ids.wh2, initialQty: 1 },
    'keys.create': { name: 'new key', scopes: ['inventory:read'] },
    'holds.create': { reference: 'auth-order-2', lines: [{ sku: 'AUTH-1', quantity: 1 }] },
    'holds.extend': { expires_in_seconds: 600 },
    'holds.fulfill': { lines: [{ index: 0, quantity: 1 }] },
    'reconcile.run': { repair: true },
    'inbound.create': {
      type: 'purchase_order',
      reference: 'auth-po-2',
      warehouse_id: ids.wh,
      lines: [{ sku: 'AUTH-1', quantity: 2, expected_at: '2026-12-20' }],
    },
    'inventory.moves': { warehouse_id: ids.wh, from: 'available', to: 'damaged', quantity: 1 },
    'transfers.create': { from_warehouse_id: ids.wh, to_warehouse_id: ids.wh2, lines: [{ sku: 'AUTH-1', quantity: 1 }] },
    'transfers.receive': { lines: [{ sku: 'AUTH-1', accepted: 1 }] },
    'inbound.receive': { quantity: 1 },
    'inbound.cancel': {},
    'inbound.expected': { expected_at: '2030-01-20' },
  };
  return route.body ? bodies[route.id] : undefined;
}

/** Everything this tenant has, as the API shows it (the cross-tenant test compares it as well as the writes). */
async function snapshot() {
  const [items, levels, reservations, locations, variant, history, apiKeys] = await Promise.all([
    api.get('/admin/inventory-items?limit=1000'),
    api.get(`/admin/inventory-items/${ids.item}/location-levels`),
    api.get('/admin/reservations?limit=1000'),
    api.get('/admin/stock-locations?limit=1000'),
    api.get(`/admin/products/${ids.product}/variants/${ids.variant}`),
    api.get('/api/inventory/AUTH-1/adjustments?limit=200'),
    api.get('/api/keys'),
  ]);
  // last_used_at moves with use (at most hourly): not a change a refused call could make
  const keysSeen = apiKeys.body.data.map(({ last_used_at: _u, ...k }: Record<string, unknown>) => k);
  return JSON.stringify([items.body, levels.body, reservations.body, locations.body, variant.body, history.body, keysSeen]);
}

test("the write check sees the functions' writes: an accepted call is caught by it", async () => {
  accepted.length = 0;
  expect((await api.post('/admin/stock-locations', { name: 'seen' })).status).toBe(200);
  expect(accepted.filter((w) => !isKeyTouch(w)).join('\n')).toContain('#WH#');
});

const guarded = routes.filter((r) => r.scope !== 'public');
const withParams = guarded.filter((r) => r.params);
const withBody = routes.filter((r) => r.body);
const codeOf = (route: Route, body: any) => (route.family === 'inventory' ? body?.error?.code : body?.code);

/** A scope set that lacks what the route needs. */
function lacking(route: Route) {
  if (route.scope === 'inventory:read') return ['reservations:write', 'keys:manage'] as const;
  if (route.scope === 'reservations') return ['inventory:read', 'keys:manage'] as const;
  return ['inventory:read', 'reservations:write'] as const;
}

describe.each(guarded.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', (_name, route) => {
  test('without a key: 401 UNAUTHORIZED, nothing changed', async () => {
    const res = await changesNothing(() => api.request(route.method, pathFor(route), bodyFor(route), { key: null }));
    expect(res.status).toBe(401);
    expect(codeOf(route, res.body)).toBe('UNAUTHORIZED');
  });

  test('with an unknown, malformed or revoked key: 401', async () => {
    for (const key of [`inv_${api.tenant}_unknownunknownunknown`, 'garbage', `inv_nobody_${'x'.repeat(30)}`, ids.revokedKey]) {
      const res = await changesNothing(() => api.request(route.method, pathFor(route), bodyFor(route), { key }));
      expect(res.status).toBe(401);
    }
    const viaHeader = await api.request(route.method, pathFor(route), bodyFor(route), { key: null, headers: { 'x-api-key': 'nope' } });
    expect(viaHeader.status).toBe(401);
  });

  test("with a key lacking the route's scope: 403 FORBIDDEN naming the scope, nothing changed", async () => {
    const key = await makeKey(api.tenant, [...lacking(route)], 'limited');
    const res = await changesNothing(() => api.request(route.method, pathFor(route), bodyFor(route), { key }));
    expect(res.status).toBe(403);
    expect(codeOf(route, res.body)).toBe('FORBIDDEN');
    expect(JSON.stringify(res.body)).toContain(route.scope === 'reservations' ? 'reservations:write' : route.scope);
  });
});

describe.each(guarded.map((r) => [`${r.method} ${r.path}`, r] as const))('%s with a query parameter it does not take', (_name, route) => {
  test('400 naming the parameter, never ignored; nothing changed', async () => {
    const res = await changesNothing(() => api.request(route.method, `${pathFor(route)}?surprise_filter%5B%24gt%5D=1`, bodyFor(route)));
    expect(res.status).toBe(400);
    expect(codeOf(route, res.body)).toBe('VALIDATION_ERROR');
    expect(JSON.stringify(res.body)).toContain('surprise_filter[$gt]');
  });
});

describe.each(withParams.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', (_name, route) => {
  test("another tenant's key against this tenant's ids: 404, nothing changed", async () => {
    const res = await changesNothing(() => api.request(route.method, pathFor(route), bodyFor(route), { key: other.key }));
    expect(res.status).toBe(404);
  });
});

/** Routes that are not about one warehouse: a warehouse-limited key may use them. Every other write is warehouse-bound. */
const WAREHOUSE_NEUTRAL = new Set([
  'admin.items.create',
  'admin.items.update',
  'admin.variants.link',
  'admin.variants.update-link',
  'admin.variants.unlink',
  'keys.revoke',
  // an upload names its warehouses per row: each row is checked against the key when it is processed
  'uploads.create',
  // a hold by a warehouse-limited key allocates only at the key's warehouses (409 when they lack the stock)
  'holds.create',
]);
const warehouseBound = routes.filter((r) => r.method !== 'GET' && r.scope !== 'public' && !WAREHOUSE_NEUTRAL.has(r.id));

describe.each(warehouseBound.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', (_name, route) => {
  test('a key limited to another warehouse: 403 FORBIDDEN_WAREHOUSE or 404, nothing changed', async () => {
    const elsewhere = (await api.post('/admin/stock-locations', { name: `elsewhere ${route.id}` })).body.stock_location.id;
    const key = await makeKey(api.tenant, ['inventory:read', 'inventory:write', 'reservations:write', 'keys:manage'], 'limited', [elsewhere]);
    const res = await changesNothing(() => api.request(route.method, pathFor(route), bodyFor(route), { key }));
    if (route.id === 'inventory.bulk') {
      // rows are independent: each is refused on its own
      expect(res.status).toBe(200);
      for (const row of res.body.data.results) expect(row.error.code).toBe('FORBIDDEN_WAREHOUSE');
    } else {
      expect([403, 404]).toContain(res.status);
      if (res.status === 403) expect(JSON.stringify(res.body)).toContain('FORBIDDEN_WAREHOUSE');
    }
  });
});

test("another tenant's lists show none of this tenant's records, and it cannot reserve this tenant's stock", async () => {
  const items = await api.get('/admin/inventory-items', other.key);
  expect(items.body).toMatchObject({ inventory_items: [], count: 0 });
  expect((await api.get('/admin/reservations', other.key)).body).toMatchObject({ reservations: [], count: 0 });
  expect((await api.get('/admin/stock-locations', other.key)).body).toMatchObject({ stock_locations: [], count: 0 });
  const before = await snapshot();
  const res = await changesNothing(() => api.post('/admin/reservations', { inventory_item_id: ids.item, location_id: ids.wh, quantity: 1 }, other.key));
  expect(res.status).toBe(404);
  expect(await snapshot()).toBe(before);
});

describe.each(withBody.map((r) => [`${r.method} ${r.path}`, r] as const))('%s with a bad body', (_name, route) => {
  const send = (raw: string) => api.request(route.method, pathFor(route), undefined, { raw, headers: { 'content-type': 'application/json' } });

  test('malformed JSON: 400 VALIDATION_ERROR, nothing changed', async () => {
    const res = await changesNothing(() => send('{"quantity": 1,'));
    expect(res.status).toBe(400);
    expect(codeOf(route, res.body)).toBe('VALIDATION_ERROR');
  });

  test('an array or a string instead of an object: 400, nothing changed', async () => {
    expect((await changesNothing(() => send('[1,2]'))).status).toBe(400);
    expect((await changesNothing(() => send('"text"'))).status).toBe(400);
  });

  test('an unknown field: 400 naming it, nothing changed', async () => {
    const body = { ...(bodyFor(route) as object | undefined), surprise_field: 1 };
    const res = await changesNothing(() => send(JSON.stringify(body)));
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('surprise_field');
  });
});

test('public routes answer without a key; the OpenAPI document lists every route of the table', async () => {
  for (const r of routes.filter((r) => r.scope === 'public')) {
    expect((await api.request(r.method, r.path.replace('{file}', 'docs.js'), undefined, { key: null })).status).toBe(200);
  }
  const doc = (await api.get('/api/openapi.json', null)).body;
  expect(doc.openapi).toBe('3.1.0');
  for (const r of routes) expect(doc.paths[r.path]?.[r.method.toLowerCase()]?.operationId).toBe(r.id);
});

test('unknown paths and methods are 404 Not Found (as the HTTP API answers a method no route has), never 5xx', async () => {
  expect((await api.get('/admin/nowhere')).status).toBe(404);
  const wrongMethod = await api.request('PUT', '/admin/inventory-items');
  expect([wrongMethod.status, wrongMethod.body]).toEqual([404, { message: 'Not Found' }]);
});

describe("HTTP Basic (Medusa's JS SDK with `apiKey`): the same key, the same scopes", () => {
  const basic = (user: string, password = '') => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const as = (authorization: string, method: string, path: string, body?: unknown) =>
    api.request(method, path, body, { key: null, headers: { authorization } });

  test('Basic base64(key:) reads and writes as Bearer does', async () => {
    const read = await as(basic(api.key), 'GET', `/admin/inventory-items/${ids.item}`);
    expect(read.status).toBe(200);
    expect(read.body.inventory_item.id).toBe(ids.item);
    const made = await as(basic(api.key), 'POST', '/admin/stock-locations', { name: 'via basic' });
    expect(made.status).toBe(200);
    expect(made.body.stock_location.name).toBe('via basic');
    // without the trailing colon (user name only) it is the same key
    expect((await as(`Basic ${Buffer.from(api.key).toString('base64')}`, 'GET', '/admin/stock-locations')).status).toBe(200);
  });

  test("a key's scopes hold however it is sent: a read-only key is 403 on a write, 200 on a read", async () => {
    const readOnly = await makeKey(api.tenant, ['inventory:read'], 'basic read-only');
    expect((await as(basic(readOnly), 'GET', '/admin/stock-locations')).status).toBe(200);
    const write = await changesNothing(() => as(basic(readOnly), 'POST', '/admin/stock-locations', { name: 'nope' }));
    expect(write.status).toBe(403);
    expect(write.body).toMatchObject({ code: 'FORBIDDEN' });
    expect(write.body.message).toContain('inventory:write');
  });

  test('unknown, revoked, with a password, or not base64: 401, nothing changed', async () => {
    for (const authorization of [
      basic(`inv_${api.tenant}_unknownunknownunknown`),
      basic(ids.revokedKey),
      basic(api.key, 'secret'),
      basic(''),
      'Basic not*base64',
      'Basic ',
    ]) {
      const res = await changesNothing(() => as(authorization, 'POST', '/admin/stock-locations', { name: 'nope' }));
      expect([authorization, res.status]).toEqual([authorization, 401]);
      expect(res.body).toMatchObject({ type: 'unauthorized', code: 'UNAUTHORIZED' });
    }
  });
});
