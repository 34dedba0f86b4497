/** Multi-line holds over HTTP against DynamoDB Local: allocation, kits, all-or-nothing, fulfil, expiry, release. */
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';
import { inParallel } from '../support/parallel.ts';
import { ledgerRows } from '../support/ledger.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

let n = 0;
const uniq = (p: string) => `${p}-${Date.now().toString(36)}-${n++}`;
const warehouse = async (name: string, priority: number, extra: Record<string, unknown> = {}) =>
  (await api.post('/api/warehouses', { name, priority, ...extra })).body.data.id as string;
async function sku(stock: [string, number][]) {
  const s = uniq('H');
  const iid = (await api.post('/admin/inventory-items', { sku: s })).body.inventory_item.id as string;
  for (const [wh, q] of stock) expect((await api.request('PUT', `/api/inventory/${s}`, { warehouse_id: wh, quantity: q })).status).toBe(200);
  return { sku: s, iid };
}
async function levels(iid: string) {
  const res = await api.get(`/admin/inventory-items/${iid}/location-levels`);
  return Object.fromEntries(res.body.inventory_item.location_levels.map((l: any) => [l.location_id, l])) as Record<string, any>;
}
const reservationsOf = async (lineItem: string) =>
  (await api.get(`/admin/reservations?line_item_id=${encodeURIComponent(lineItem)}&limit=1000`)).body.reservations as any[];
const ledger = (iid: string) => ledgerRows(api.tenant, iid);

describe('allocation', () => {
  test('priority: 6 at A (priority 1) and 5 at B (priority 0), one line of 10 → 6 from A + 4 from B, as reservations', async () => {
    const A = await warehouse('A', 1);
    const B = await warehouse('B', 0);
    const x = await sku([
      [A, 6],
      [B, 5],
    ]);
    const ref = uniq('order');
    const res = await api.post('/api/holds', { reference: ref, lines: [{ sku: x.sku, quantity: 10 }], strategy: 'priority' });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ reference: ref, status: 'active', lines: [{ index: 0, sku: x.sku, quantity: 10 }] });
    expect(res.body.data.lines[0].allocations.map((a: any) => [a.warehouse_id, a.quantity])).toEqual([
      [A, 6],
      [B, 4],
    ]);
    // each allocation is a normal reservation, line_item_id <reference>:<index>, expiring with the hold
    const rs = await reservationsOf(`${ref}:0`);
    expect(rs.map((r) => [r.location_id, r.quantity]).sort()).toEqual(
      [
        [A, 6],
        [B, 4],
      ].sort(),
    );
    expect(rs.every((r) => r.expires_at === res.body.data.expires_at)).toBe(true);
    const lv = await levels(x.iid);
    expect([lv[A].reserved_quantity, lv[A].available_quantity, lv[B].reserved_quantity, lv[B].available_quantity]).toEqual([6, 0, 4, 1]);
  });

  test('allow_split: false → 409 INSUFFICIENT_STOCK naming the line, with the availability considered; nothing reserved', async () => {
    const A = await warehouse('A', 1);
    const B = await warehouse('B', 0);
    const x = await sku([
      [A, 6],
      [B, 5],
    ]);
    const ref = uniq('order');
    const res = await api.post('/api/holds', { reference: ref, lines: [{ sku: x.sku, quantity: 10 }], strategy: 'priority', allow_split: false });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('INSUFFICIENT_STOCK');
    expect(res.body.error.details).toEqual([{ field: 'lines.0', message: expect.stringContaining('allow_split') }]);
    expect(res.body.error.lines[0]).toMatchObject({ index: 0, sku: x.sku, requested: 10, allocatable: 6, reason: 'no_single_warehouse' });
    expect(
      res.body.error.lines[0].warehouses
        .filter((w: any) => [A, B].includes(w.warehouse_id))
        .map((w: any) => [w.warehouse_id, w.available])
        .sort(),
    ).toEqual(
      [
        [A, 6],
        [B, 5],
      ].sort(),
    );
    expect(await reservationsOf(`${ref}:0`)).toEqual([]);
    const lv = await levels(x.iid);
    expect([lv[A].reserved_quantity, lv[B].reserved_quantity]).toEqual([0, 0]);
  });

  test('fewest_warehouses (the default) takes a whole 2-line order from the one warehouse that has both', async () => {
    const A = await warehouse('A', 1);
    const B = await warehouse('B', 0);
    const x = await sku([
      [A, 10],
      [B, 10],
    ]);
    const y = await sku([[B, 10]]);
    const res = await api.post('/api/holds', {
      reference: uniq('order'),
      lines: [
        { sku: x.sku, quantity: 2 },
        { sku: y.sku, quantity: 3 },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body.data.strategy).toBe('fewest_warehouses');
    expect(res.body.data.lines.flatMap((l: any) => l.allocations.map((a: any) => a.warehouse_id))).toEqual([B, B]);
  });

  test('inactive warehouses are not eligible; read-only ones are; warehouse_ids limits the choice', async () => {
    const off = await warehouse('off', 9);
    const ro = await warehouse('ro', 5);
    const on = await warehouse('on', 0);
    const x = await sku([
      [off, 5],
      [ro, 5],
      [on, 5],
    ]);
    await api.request('PATCH', `/api/warehouses/${off}`, { is_active: false });
    await api.request('PATCH', `/api/warehouses/${ro}`, { is_readonly: true });
    const res = await api.post('/api/holds', { reference: uniq('o'), lines: [{ sku: x.sku, quantity: 7 }], strategy: 'priority' });
    expect(res.status).toBe(201);
    expect(res.body.data.lines[0].allocations.map((a: any) => [a.warehouse_id, a.quantity])).toEqual([
      [ro, 5],
      [on, 2],
    ]);
    const limited = await api.post('/api/holds', { reference: uniq('o'), lines: [{ sku: x.sku, quantity: 2 }], warehouse_ids: [on] });
    expect(limited.body.data.lines[0].allocations.map((a: any) => a.warehouse_id)).toEqual([on]);
    const tooMuch = await api.post('/api/holds', { reference: uniq('o'), lines: [{ sku: x.sku, quantity: 2 }], warehouse_ids: [on] });
    expect(tooMuch.status).toBe(409);
  });

  test('kits: variant K = 2 × X, lines [K × 3, X × 2] on X = 7 → 409 (demand 8), nothing reserved; with 8 it holds', async () => {
    const A = await warehouse('A', 0);
    const x = await sku([[A, 7]]);
    const vid = uniq('variant');
    expect((await api.post(`/admin/products/prod_k/variants/${vid}/inventory-items`, { inventory_item_id: x.iid, required_quantity: 2 })).status).toBe(200);
    const ref = uniq('order');
    const body = {
      reference: ref,
      lines: [
        { variant: { product_id: 'prod_k', variant_id: vid }, quantity: 3 },
        { sku: x.sku, quantity: 2 },
      ],
    };
    const res = await api.post('/api/holds', body);
    expect(res.status).toBe(409);
    expect(res.body.error.items).toEqual([{ inventory_item_id: x.iid, sku: x.sku, demand: 8, allocatable: 7 }]);
    expect(await reservationsOf(`${ref}:0`)).toEqual([]);
    expect(await reservationsOf(`${ref}:1`)).toEqual([]);
    expect((await levels(x.iid))[A].reserved_quantity).toBe(0);
    await api.request('PUT', `/api/inventory/${x.sku}`, { warehouse_id: A, quantity: 8 });
    const ok = await api.post('/api/holds', body);
    expect(ok.status).toBe(201);
    expect(ok.body.data.lines[0].allocations).toEqual([expect.objectContaining({ warehouse_id: A, inventory_item_id: x.iid, quantity: 6 })]);
    expect(ok.body.data.lines[0].components).toEqual([{ inventory_item_id: x.iid, sku: x.sku, required_quantity: 2 }]);
    // two reservations on one level: one take of 8 in the transaction
    expect((await levels(x.iid))[A]).toMatchObject({ reserved_quantity: 8, available_quantity: 0 });
  });

  test('bad input is a 4xx naming the field, never a 5xx', async () => {
    const cases: [unknown, number, string][] = [
      [{ reference: 'r', lines: [] }, 400, 'lines'],
      [{ reference: 'r', lines: [{ quantity: 1 }] }, 400, 'lines.0.sku'],
      [{ reference: 'r', lines: [{ sku: 'S', variant: { product_id: 'p', variant_id: 'v' }, quantity: 1 }] }, 400, 'lines.0.sku'],
      [{ reference: 'r', lines: [{ sku: 'S', quantity: 0 }] }, 422, 'lines.0.quantity'],
      [{ reference: 'r', lines: [{ sku: 'NOPE-NOT-THERE', quantity: 1 }] }, 404, 'lines.0.sku'],
      [{ reference: 'r', lines: [{ sku: 'S', quantity: 1 }], strategy: 'cheapest' }, 400, 'strategy'],
      [{ reference: 'r', lines: [{ sku: 'S', quantity: 1 }], expires_in_seconds: 0 }, 400, 'expires_in_seconds'],
    ];
    for (const [body, status, field] of cases) {
      const res = await api.post('/api/holds', body);
      expect([res.status, res.body.error?.details?.[0]?.field]).toEqual([status, field]);
    }
    expect((await api.get('/api/holds')).status).toBe(400);
    expect((await api.get('/api/holds/hold_NOPE')).status).toBe(404);
  });

  test('the largest hold: 32 lines at 32 levels holds; 33 lines → 422 HOLD_TOO_LARGE, nothing reserved', async () => {
    const A = await warehouse('big', 0);
    const xs: Awaited<ReturnType<typeof sku>>[] = new Array(33);
    await inParallel(33, async (i) => {
      xs[i] = await sku([[A, 1]]);
    });
    const ok = await api.post('/api/holds', { reference: uniq('big'), lines: xs.slice(0, 32).map((x) => ({ sku: x.sku, quantity: 1 })) });
    expect(ok.status).toBe(201);
    await api.del(`/api/holds/${ok.body.data.id}`);
    const ref = uniq('big');
    const res = await api.post('/api/holds', { reference: ref, lines: xs.map((x) => ({ sku: x.sku, quantity: 1 })) });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('HOLD_TOO_LARGE');
    expect((await levels(xs[0].iid))[A].reserved_quantity).toBe(0);
  }, 120_000);
});

describe('after the hold', () => {
  async function split() {
    const A = await warehouse('A', 1);
    const B = await warehouse('B', 0);
    const x = await sku([
      [A, 6],
      [B, 5],
    ]);
    const ref = uniq('order');
    const hold = (await api.post('/api/holds', { reference: ref, lines: [{ sku: x.sku, quantity: 10 }], strategy: 'priority' })).body.data;
    return { A, B, x, ref, hold };
  }

  test('GET by id and by reference', async () => {
    const { hold, ref } = await split();
    expect((await api.get(`/api/holds/${hold.id}`)).body.data).toEqual(hold);
    const list = await api.get(`/api/holds?reference=${encodeURIComponent(ref)}`);
    expect(list.body.data.map((h: any) => h.id)).toEqual([hold.id]);
  });

  test('fulfil consumes each reservation at its own warehouse; partial, then the rest; ledger rows per warehouse', async () => {
    const { A, B, x, ref, hold } = await split();
    const part = await api.post(`/api/holds/${hold.id}/fulfill`, { lines: [{ index: 0, quantity: 7 }] });
    expect(part.status).toBe(200);
    expect(part.body.data).toMatchObject({ status: 'active', lines: [{ fulfilled_quantity: 7 }] });
    let lv = await levels(x.iid);
    // A gave its 6, B 1 of its 4: stocked and reserved drop together, available unchanged
    expect([lv[A].stocked_quantity, lv[A].reserved_quantity, lv[A].available_quantity]).toEqual([0, 0, 0]);
    expect([lv[B].stocked_quantity, lv[B].reserved_quantity, lv[B].available_quantity]).toEqual([4, 3, 1]);
    expect((await reservationsOf(`${ref}:0`)).map((r) => [r.location_id, r.quantity])).toEqual([[B, 3]]);
    const rest = await api.post(`/api/holds/${hold.id}/fulfill`);
    expect(rest.body.data).toMatchObject({ status: 'fulfilled', lines: [{ fulfilled_quantity: 10 }] });
    lv = await levels(x.iid);
    expect([lv[B].stocked_quantity, lv[B].reserved_quantity, lv[B].available_quantity]).toEqual([1, 0, 1]);
    expect(await reservationsOf(`${ref}:0`)).toEqual([]);
    const rows = (await ledger(x.iid)).filter((r) => r.reason === 'fulfillment');
    expect(rows.map((r) => [r.warehouse_id, r.delta, r.reference]).sort()).toEqual(
      [
        [A, -6, ref],
        [B, -1, ref],
        [B, -3, ref],
      ].sort(),
    );
    expect((await api.post(`/api/holds/${hold.id}/fulfill`)).status).toBe(409);
    expect((await api.post(`/api/holds/${hold.id}/fulfill`, { lines: [{ index: 0, quantity: 1 }] })).status).toBe(409);
  });

  test('more than is left of a line → 422 naming it; a line that does not exist → 400', async () => {
    const { hold } = await split();
    const over = await api.post(`/api/holds/${hold.id}/fulfill`, { lines: [{ index: 0, quantity: 11 }] });
    expect([over.status, over.body.error.details[0].field]).toEqual([422, 'lines.0.quantity']);
    const none = await api.post(`/api/holds/${hold.id}/fulfill`, { lines: [{ index: 4, quantity: 1 }] });
    expect([none.status, none.body.error.details[0].field]).toEqual([400, 'lines.0.index']);
  });

  test('an expired hold cannot be fulfilled or extended (410), even before the sweeper; release still frees it', async () => {
    const A = await warehouse('A', 0);
    const x = await sku([[A, 5]]);
    const hold = (await api.post('/api/holds', { reference: uniq('o'), lines: [{ sku: x.sku, quantity: 2 }], expires_in_seconds: 1 })).body.data;
    await new Promise((r) => setTimeout(r, 1100));
    expect((await api.get(`/api/holds/${hold.id}`)).body.data.status).toBe('expired');
    const f = await api.post(`/api/holds/${hold.id}/fulfill`);
    expect([f.status, f.body.error.code]).toEqual([410, 'HOLD_EXPIRED']);
    const e = await api.post(`/api/holds/${hold.id}/extend`, { expires_in_seconds: 60 });
    expect([e.status, e.body.error.code]).toEqual([410, 'HOLD_EXPIRED']);
    expect((await levels(x.iid))[A]).toMatchObject({ stocked_quantity: 5, reserved_quantity: 2 });
    const d = await api.del(`/api/holds/${hold.id}`);
    expect(d.body.data.status).toBe('released');
    expect((await levels(x.iid))[A]).toMatchObject({ stocked_quantity: 5, reserved_quantity: 0, available_quantity: 5 });
  });

  test('extend moves the expiry of the hold and of each reservation', async () => {
    const { hold, ref } = await split();
    const e = await api.post(`/api/holds/${hold.id}/extend`, { expires_in_seconds: 7200 });
    expect(e.status).toBe(200);
    expect(e.body.data.expires_at > hold.expires_at).toBe(true);
    expect((await reservationsOf(`${ref}:0`)).every((r) => r.expires_at === e.body.data.expires_at)).toBe(true);
  });

  test('release gives every allocation back; a second release is 409', async () => {
    const { A, B, x, ref, hold } = await split();
    const d = await api.del(`/api/holds/${hold.id}`);
    expect([d.status, d.body.data.status]).toEqual([200, 'released']);
    const lv = await levels(x.iid);
    expect([lv[A].reserved_quantity, lv[A].available_quantity, lv[B].reserved_quantity, lv[B].available_quantity]).toEqual([0, 6, 0, 5]);
    expect(await reservationsOf(`${ref}:0`)).toEqual([]);
    expect((await api.del(`/api/holds/${hold.id}`)).status).toBe(409);
    expect((await api.post(`/api/holds/${hold.id}/fulfill`)).status).toBe(409);
  });

  test('the expiry sweeper releases a hold’s reservations as it does single ones', async () => {
    const { releaseExpired } = await import('../../functions/core/reservations.ts');
    const A = await warehouse('A', 0);
    const x = await sku([[A, 5]]);
    await api.post('/api/holds', { reference: uniq('o'), lines: [{ sku: x.sku, quantity: 3 }], expires_in_seconds: 1 });
    await new Promise((r) => setTimeout(r, 1100));
    await releaseExpired(api.tenant);
    expect((await levels(x.iid))[A]).toMatchObject({ reserved_quantity: 0, available_quantity: 5 });
  });

  test('a repeated POST with the same Idempotency-Key makes one hold', async () => {
    const A = await warehouse('A', 0);
    const x = await sku([[A, 5]]);
    const body = { reference: uniq('o'), lines: [{ sku: x.sku, quantity: 2 }] };
    const headers = { 'idempotency-key': uniq('idem') };
    const one = await api.request('POST', '/api/holds', body, { headers });
    const two = await api.request('POST', '/api/holds', body, { headers });
    expect([one.status, two.status]).toEqual([201, 201]);
    expect(two.body.data.id).toBe(one.body.data.id);
    expect((await levels(x.iid))[A].reserved_quantity).toBe(2);
  });
});

describe('availability that explains itself', () => {
  test('per warehouse: stocked, reserved, safety stock, eligibility, read-only, backorder policy; the verdict', async () => {
    const A = await warehouse('A', 1);
    const off = await warehouse('off', 0);
    const x = await sku([
      [A, 10],
      [off, 50],
    ]);
    await api.request('PATCH', `/api/warehouses/${off}`, { is_active: false });
    await api.post('/api/holds', { reference: uniq('o'), lines: [{ sku: x.sku, quantity: 3 }] });
    const res = await api.get(`/api/inventory/${x.sku}/availability?quantity=8`);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ sku: x.sku, quantity: 8, can_hold: false, allocatable: 7 });
    const ws = res.body.data.components[0].warehouses;
    expect(ws.find((w: any) => w.warehouse_id === A)).toMatchObject({ stocked: 10, reserved: 3, available: 7, eligible: true, allocatable: 7 });
    expect(ws.find((w: any) => w.warehouse_id === off)).toMatchObject({
      stocked: 50,
      eligible: false,
      allocatable: 0,
      why: expect.stringContaining('inactive'),
    });
    expect((await api.get(`/api/inventory/${x.sku}/availability?quantity=7`)).body.data.can_hold).toBe(true);
    const zero = await api.get(`/api/inventory/${x.sku}/availability?quantity=0`);
    expect([zero.status, zero.body.error.details[0].field]).toEqual([400, 'quantity']);
  });

  test('a variant: per component with its required_quantity, and which one limits it', async () => {
    const A = await warehouse('A', 0);
    const x = await sku([[A, 10]]);
    const y = await sku([[A, 9]]);
    const vid = uniq('variant');
    await api.post(`/admin/products/prod_e/variants/${vid}/inventory-items`, { inventory_item_id: x.iid, required_quantity: 2 });
    await api.post(`/admin/products/prod_e/variants/${vid}/inventory-items`, { inventory_item_id: y.iid, required_quantity: 3 });
    const res = await api.get(`/api/variants/prod_e/${vid}/availability?quantity=4`);
    expect(res.body.data).toMatchObject({ can_hold: false, allocatable: 3 });
    const parts = Object.fromEntries(res.body.data.components.map((c: any) => [c.inventory_item_id, c]));
    expect(parts[x.iid]).toMatchObject({ required_quantity: 2, needed: 8, units: 5, limiting: false });
    expect(parts[y.iid]).toMatchObject({ required_quantity: 3, needed: 12, units: 3, limiting: true });
    expect(res.body.data.reason).toContain(y.sku);
  });
});
