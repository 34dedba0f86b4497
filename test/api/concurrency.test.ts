/**
 * The promise users come for: under concurrent requests nothing oversells, no update is lost,
 * and every stock change has its ledger row. All requests go through HTTP → authorizer →
 * handler → DynamoDB front (transaction conflicts modelled) → DynamoDB Local, in flight at the same time.
 *
 * With conflicts modelled, a request on a hot level may answer 409 CONFLICT ("retry the request")
 * after its bounded server-side retries: it changed nothing, and the callers here retry it as a client
 * would (`insist`). Every figure below is then checked against the answers that finally came back.
 */
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';
import { ledgerRows } from '../support/ledger.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

/** A client that retries 409 CONFLICT (nothing changed) a few times, as the answer asks. */
async function insist<T extends { status: number; body: any }>(send: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    const res = await send();
    if (res.status !== 409 || res.body?.code !== 'CONFLICT' || i >= 20) return res;
    await new Promise((r) => setTimeout(r, 20 + Math.random() * 200));
  }
}

async function stockedItem(stocked: number, opts: { safety_stock?: number; locations?: number } = {}) {
  const item = (await api.post('/admin/inventory-items', { sku: `SKU-${Math.random().toString(36).slice(2)}` })).body.inventory_item;
  const whs: string[] = [];
  for (let i = 0; i < (opts.locations ?? 1); i++) {
    const wh = (await api.post('/admin/stock-locations', { name: `WH ${i}` })).body.stock_location.id;
    const res = await api.post(`/admin/inventory-items/${item.id}/location-levels`, {
      location_id: wh,
      stocked_quantity: stocked,
      safety_stock: opts.safety_stock ?? 0,
    });
    expect(res.status).toBe(200);
    whs.push(wh);
  }
  return { iid: item.id as string, whs };
}

async function level(iid: string, wid: string) {
  const res = await api.get(`/admin/inventory-items/${iid}/location-levels`);
  return res.body.inventory_item.location_levels.find((l: any) => l.location_id === wid);
}

async function openReservations(iid: string, wid: string) {
  const res = await api.get(`/admin/reservations?inventory_item_id=${iid}&location_id=${wid}&limit=1000`);
  return res.body.reservations as { id: string; quantity: number }[];
}

const ledger = (iid: string) => ledgerRows(api.tenant, iid);

test('200 concurrent single-unit reservations against a stock of 50: exactly 50 succeed, the rest are refused', async () => {
  const { iid, whs } = await stockedItem(50);
  const [wh] = whs;
  const results = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      insist(() => api.post('/admin/reservations', { inventory_item_id: iid, location_id: wh, quantity: 1, line_item_id: `line_${i}` })),
    ),
  );
  const statuses = results.map((r) => r.status);
  expect(statuses.filter((s) => s === 200)).toHaveLength(50);
  expect(statuses.filter((s) => s === 400)).toHaveLength(150);
  for (const r of results.filter((r) => r.status === 400)) {
    expect(r.body).toMatchObject({ type: 'not_allowed', code: 'INSUFFICIENT_STOCK' });
  }
  const open = await openReservations(iid, wh);
  const l = await level(iid, wh);
  expect(open).toHaveLength(50);
  expect(l.reserved_quantity).toBe(50);
  expect(open.reduce((a, r) => a + r.quantity, 0)).toBe(50);
  expect(l.available_quantity).toBe(0);
  expect(l.stocked_quantity).toBe(50);
});

test('a mix of reserves, releases, fulfils, relative adjusts and absolute sets in flight at once keeps every invariant', async () => {
  const initial = 100;
  const { iid, whs } = await stockedItem(initial, { safety_stock: 5 });
  const [wh] = whs;
  // some reservations to release and fulfil while everything else runs
  const seeded = await Promise.all(
    Array.from({ length: 20 }, () => insist(() => api.post('/admin/reservations', { inventory_item_id: iid, location_id: wh, quantity: 2 }))),
  );
  expect(seeded.every((r) => r.status === 200)).toBe(true);
  const ids = seeded.map((r) => r.body.reservation.id as string);

  const ops: Promise<{ kind: string; status: number; body: any }>[] = [];
  const tag = (kind: string, p: Promise<{ status: number; body: any }>) => ops.push(p.then((r) => ({ kind, status: r.status, body: r.body })));
  ids.slice(0, 10).forEach((id) =>
    tag(
      'release',
      insist(() => api.del(`/admin/reservations/${id}`)),
    ),
  );
  ids.slice(10).forEach((id) =>
    tag(
      'fulfil',
      insist(() => api.post(`/admin/reservations/${id}/fulfill`)),
    ),
  );
  for (let i = 0; i < 30; i++)
    tag(
      'reserve',
      insist(() => api.post('/admin/reservations', { inventory_item_id: iid, location_id: wh, quantity: 3 })),
    );
  for (let i = 0; i < 20; i++) {
    tag(
      'adjust',
      insist(() => api.post(`/admin/inventory-items/${iid}/location-levels/${wh}/adjust`, { adjustment: i % 2 ? 7 : -4, reason: 'correction' })),
    );
  }
  for (let i = 0; i < 5; i++)
    tag(
      'set',
      insist(() => api.post(`/admin/inventory-items/${iid}/location-levels/${wh}`, { stocked_quantity: 90 + i, reason: 'cycle_count' })),
    );
  const done = await Promise.all(ops);

  for (const r of done) expect(r.status).toBeLessThan(500);
  const ok = (kind: string) => done.filter((r) => r.kind === kind && r.status === 200).length;
  expect(ok('release')).toBe(10);
  // a fulfil can only fail if a concurrent set took stock below the reservation (then it says so)
  for (const r of done.filter((r) => r.kind === 'fulfil' && r.status !== 200)) expect(r.body.code).toBe('NEGATIVE_QUANTITY');
  for (const r of done.filter((r) => r.kind === 'reserve' && r.status !== 200)) expect(r.body.code).toBe('INSUFFICIENT_STOCK');
  for (const r of done.filter((r) => r.kind === 'adjust' && r.status !== 200)) expect(r.body.code).toBe('NEGATIVE_QUANTITY');
  expect(ok('set')).toBe(5);

  const l = await level(iid, wh);
  const open = await openReservations(iid, wh);
  const rows = (await ledger(iid)).filter((r) => r.field === 'stocked_quantity');
  // no oversell, no negative stock
  expect(l.stocked_quantity).toBeGreaterThanOrEqual(0);
  // reserved is exactly the open reservations
  expect(l.reserved_quantity).toBe(open.reduce((a, r) => a + r.quantity, 0));
  expect(open).toHaveLength(10 - ok('fulfil') + ok('reserve'));
  // available is kept true by every write
  expect(l.available_quantity).toBe(l.stocked_quantity - l.reserved_quantity - l.safety_stock);
  // no lost ledger row: the rows' deltas (from the initial 0 → 100 on) add up to the stock there is
  expect(rows.reduce((a, r) => a + r.delta, 0)).toBe(l.stocked_quantity);
  for (const r of rows) expect(r.after_quantity - r.before_quantity).toBe(r.delta);
  // one row per successful change: the initial row, each fulfil and adjust, each set that changed the value
  expect(rows.filter((r) => r.reason === 'fulfillment')).toHaveLength(ok('fulfil'));
  expect(rows.filter((r) => r.reason === 'correction')).toHaveLength(ok('adjust'));
  expect(rows.filter((r) => r.reason === 'cycle_count').length).toBeLessThanOrEqual(ok('set'));
  expect(rows.filter((r) => r.reason === 'initial')).toHaveLength(1);
});

test('40 concurrent relative adjusts lose no update and write one ledger row each', async () => {
  const { iid, whs } = await stockedItem(10);
  const [wh] = whs;
  const deltas = Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? -3 : 2));
  const results = await Promise.all(
    deltas.map((adjustment) => insist(() => api.post(`/admin/inventory-items/${iid}/location-levels/${wh}/adjust`, { adjustment, reason: 'correction' }))),
  );
  for (const r of results) expect([200, 400]).toContain(r.status); // 400 NEGATIVE_QUANTITY (the admin family's status for it)
  const applied = deltas.filter((_, i) => results[i].status === 200);
  const l = await level(iid, wh);
  expect(l.stocked_quantity).toBe(10 + applied.reduce((a, d) => a + d, 0));
  const rows = (await ledger(iid)).filter((r) => r.reason === 'correction');
  expect(rows).toHaveLength(applied.length);
  expect(rows.map((r) => r.delta).sort()).toEqual([...applied].sort());
});

test('concurrent reservations of one item at two locations stay independent', async () => {
  const { iid, whs } = await stockedItem(10, { locations: 2 });
  const results = await Promise.all(
    Array.from({ length: 40 }, (_, i) => insist(() => api.post('/admin/reservations', { inventory_item_id: iid, location_id: whs[i % 2], quantity: 1 }))),
  );
  expect(results.filter((r) => r.status === 200)).toHaveLength(20);
  for (const wh of whs) {
    const l = await level(iid, wh);
    expect(l.reserved_quantity).toBe(10);
    expect(l.available_quantity).toBe(0);
    expect(await openReservations(iid, wh)).toHaveLength(10);
  }
});
