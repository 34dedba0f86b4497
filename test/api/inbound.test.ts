/**
 * Inbound supply (issue 25 item 3): records with dated lines raise incoming; receiving a line (in
 * parts, never past it) moves units to on hand like a receipt; cancelling takes what is left off
 * incoming; availability by date counts what is expected by then. Every step ledgered, every bad
 * input a 4xx that changes nothing, keyed steps exactly once, and the races apply once.
 */
import { makeKey, startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';
import { requestCounter } from '../support/client.ts';
import { ledgerRows } from '../support/ledger.ts';

let api: Api;
const counter = requestCounter();
let wh: string;
let wh2: string;
beforeAll(async () => {
  api = await startApi();
  counter.install();
  wh = (await api.post('/api/warehouses', { name: 'IN-1' })).body.data.id;
  wh2 = (await api.post('/api/warehouses', { name: 'IN-2' })).body.data.id;
});
afterAll(async () => {
  counter.restore();
  await api.close();
});

let n = 0;
async function sku(stocked = 10, wid = wh) {
  const s = `INB-${++n}-${Date.now()}`;
  const iid = (await api.post('/admin/inventory-items', { sku: s, title: s })).body.inventory_item.id;
  expect((await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wid, stocked_quantity: stocked })).status).toBe(200);
  return { sku: s, iid };
}
const level = async (s: string, wid = wh) =>
  (await api.get(`/api/inventory/${encodeURIComponent(s)}`)).body.data.warehouses.find((w: any) => w.warehouse_id === wid);
const create = (body: unknown, key?: string) => api.post('/api/inbound', body, key);
const receive = (id: string, line: number, quantity: number, headers: Record<string, string> = {}) =>
  api.request('POST', `/api/inbound/${id}/lines/${line}/receive`, { quantity }, { headers });
const cancel = (id: string, line: number) => api.post(`/api/inbound/${id}/lines/${line}/cancel`, {});
/** The level's figures that inbound moves, and its ledger sums per field. */
async function figures(s: { sku: string; iid: string }, wid = wh) {
  const l = await level(s.sku, wid);
  const ledger = (await ledgerRows(api.tenant, s.iid)).filter((r) => r.warehouse_id === wid);
  const sum = (f: string) => ledger.filter((r) => r.field === f).reduce((a, r) => a + r.delta, 0);
  return { on_hand: l.on_hand, incoming: l.incoming, available: l.available, ledger_stocked: sum('stocked_quantity'), ledger_rows: ledger.length };
}

test('create: lines raise incoming (a ledger row each); receive in parts moves units to on hand; the last part closes the line', async () => {
  const a = await sku(10);
  const b = await sku(0);
  const res = await create({
    type: 'purchase_order',
    reference: 'PO-1',
    warehouse_id: wh,
    note: 'spring restock',
    lines: [
      { sku: a.sku, quantity: 40, expected_at: '2026-12-20' },
      { sku: a.sku, quantity: 10, expected_at: '2027-01-10T08:00:00+01:00' },
      { sku: b.sku, quantity: 5, expected_at: '2026-12-24' },
    ],
  });
  expect(res.status).toBe(201);
  const rec = res.body.data;
  expect(rec).toMatchObject({ type: 'purchase_order', reference: 'PO-1', warehouse_id: wh, status: 'open', note: 'spring restock' });
  expect(rec.id).toMatch(/^inb_/);
  expect(rec.lines.map((l: any) => [l.line, l.sku, l.quantity, l.remaining_quantity, l.status, l.expected_at])).toEqual([
    [1, a.sku, 40, 40, 'open', '2026-12-20T00:00:00.000Z'],
    [2, a.sku, 10, 10, 'open', '2027-01-10T07:00:00.000Z'],
    [3, b.sku, 5, 5, 'open', '2026-12-24T00:00:00.000Z'],
  ]);
  expect(await figures(a)).toMatchObject({ on_hand: 10, incoming: 50, available: 10 });
  const created = (await ledgerRows(api.tenant, a.iid)).filter((r) => r.field === 'incoming_quantity');
  expect(created.map((r) => [r.before_quantity, r.after_quantity, r.reference])).toEqual(
    expect.arrayContaining([
      [0, 40, `inbound:${rec.id}:1`],
      [40, 50, `inbound:${rec.id}:2`],
    ]),
  );

  const part = await receive(rec.id, 1, 25);
  expect(part.status).toBe(200);
  expect(part.body.data.lines[0]).toMatchObject({ received_quantity: 25, remaining_quantity: 15, status: 'open' });
  expect(await figures(a)).toMatchObject({ on_hand: 35, incoming: 25, available: 35, ledger_stocked: 35 });
  const receipt = (await ledgerRows(api.tenant, a.iid)).filter((r) => r.reference === `inbound:${rec.id}:1` && r.reason === 'supplier_receipt');
  expect(receipt.map((r) => [r.field, r.before_quantity, r.after_quantity]).sort()).toEqual([
    ['incoming_quantity', 50, 25],
    ['stocked_quantity', 10, 35],
  ]);

  // never past the line: 16 of the 15 left is refused and changes nothing
  const over = await receive(rec.id, 1, 16);
  expect(over.status).toBe(422);
  expect(over.body.error).toMatchObject({ code: 'INVALID_QUANTITY' });
  expect(JSON.stringify(over.body.error.details)).toContain('quantity');
  expect(await figures(a)).toMatchObject({ on_hand: 35, incoming: 25 });

  const rest = await receive(rec.id, 1, 15);
  expect(rest.body.data.lines[0]).toMatchObject({ received_quantity: 40, remaining_quantity: 0, status: 'received' });
  expect(await figures(a)).toMatchObject({ on_hand: 50, incoming: 10, ledger_stocked: 50 });
  const again = await receive(rec.id, 1, 1);
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe('CONFLICT');
  expect(again.body.error.message).toContain('received');

  // cancel what is left of line 2: incoming falls by it; the record closes once no line is open
  const c = await cancel(rec.id, 2);
  expect(c.status).toBe(200);
  expect(c.body.data.lines[1]).toMatchObject({ status: 'cancelled', cancelled_quantity: 10, remaining_quantity: 0 });
  expect(await figures(a)).toMatchObject({ on_hand: 50, incoming: 0 });
  expect((await cancel(rec.id, 2)).status).toBe(409);
  expect((await receive(rec.id, 2, 1)).status).toBe(409);
  expect((await receive(rec.id, 3, 5)).status).toBe(200);
  const closed = (await api.get(`/api/inbound/${rec.id}`)).body.data;
  expect(closed.status).toBe('closed');
  expect(await figures(b)).toMatchObject({ on_hand: 5, incoming: 0 });
});

test('incoming of a level with open lines is theirs: an absolute set is refused (409) until they are closed', async () => {
  const a = await sku(1);
  const rec = (await create({ type: 'production_run', reference: 'RUN-7', warehouse_id: wh, lines: [{ sku: a.sku, quantity: 3, expected_at: '2026-12-30' }] }))
    .body.data;
  const set = await api.post(`/admin/inventory-items/${a.iid}/location-levels/${wh}`, { incoming_quantity: 99 });
  expect(set.status).toBe(409);
  expect(set.body.message).toContain('open inbound line');
  // other fields still change
  expect((await api.post(`/admin/inventory-items/${a.iid}/location-levels/${wh}`, { reorder_level: 2 })).status).toBe(200);
  expect((await level(a.sku)).incoming).toBe(3);
  await receive(rec.id, 1, 3);
  const after = await api.post(`/admin/inventory-items/${a.iid}/location-levels/${wh}`, { incoming_quantity: 7 });
  expect(after.status).toBe(200);
  // a production run's receipt is booked as `other`
  expect((await ledgerRows(api.tenant, a.iid)).filter((r) => r.reference === `inbound:${rec.id}:1` && r.field === 'stocked_quantity')[0]?.reason).toBe('other');
});

test('a level, its item or its warehouse is not deleted while inbound lines are open there (409); after the cancel it is', async () => {
  const w = (await api.post('/api/warehouses', { name: 'IN-DEL' })).body.data.id;
  const a = await sku(0, w);
  const rec = (await create({ type: 'purchase_order', reference: 'PO-DEL', warehouse_id: w, lines: [{ sku: a.sku, quantity: 4, expected_at: '2026-12-20' }] }))
    .body.data;
  for (const path of [`/admin/inventory-items/${a.iid}/location-levels/${w}`, `/admin/inventory-items/${a.iid}`, `/admin/stock-locations/${w}`]) {
    const res = await api.del(path);
    expect([path, res.status, res.body.code]).toEqual([path, 409, 'CONFLICT']);
    expect(res.body.message).toContain('inbound line(s) are still open');
  }
  expect((await level(a.sku, w)).incoming).toBe(4);
  expect((await cancel(rec.id, 1)).status).toBe(200);
  expect((await api.del(`/admin/inventory-items/${a.iid}/location-levels/${w}`)).status).toBe(200);
});

test('bad input is a 4xx naming the field and changes nothing', async () => {
  const a = await sku(5);
  const fba = (await api.post('/api/warehouses', { name: 'IN-FBA', type: 'FBA' })).body.data.id;
  const good = { type: 'purchase_order', reference: 'PO-X', warehouse_id: wh, lines: [{ sku: a.sku, quantity: 2, expected_at: '2026-12-20' }] };
  const cases: [unknown, number, string, string?][] = [
    [{ ...good, lines: [] }, 400, 'VALIDATION_ERROR', 'lines'],
    [{ ...good, type: 'gift' }, 400, 'VALIDATION_ERROR', 'type'],
    [{ ...good, lines: [{ ...good.lines[0], expected_at: 'next week' }] }, 400, 'VALIDATION_ERROR', 'expected_at'],
    [{ ...good, lines: [{ ...good.lines[0], quantity: 0 }] }, 422, 'INVALID_QUANTITY', 'quantity'],
    [{ ...good, lines: [{ ...good.lines[0], quantity: 2.5 }] }, 422, 'INVALID_QUANTITY', 'quantity'],
    [{ ...good, lines: [good.lines[0], { sku: 'NOPE', quantity: 1, expected_at: '2026-12-20' }] }, 404, 'INVENTORY_NOT_FOUND', 'lines.1.sku'],
    [{ ...good, warehouse_id: wh2 }, 404, 'NOT_FOUND'], // no level of the sku there
    [{ ...good, lines: Array.from({ length: 31 }, () => good.lines[0]) }, 400, 'VALIDATION_ERROR', 'lines'],
  ];
  for (const [body, status, code, field] of cases) {
    const res = await create(body);
    expect([res.status, res.body.error?.code]).toEqual([status, code]);
    if (field) expect(JSON.stringify(res.body.error)).toContain(field);
  }
  expect(await figures(a)).toMatchObject({ incoming: 0, ledger_rows: 1 });

  // a read-only warehouse takes no inbound (its stock is the marketplace's)
  await api.request('PUT', `/api/inventory/${a.sku}`, { warehouse_id: fba, quantity: 0 });
  expect((await create({ ...good, warehouse_id: fba })).status).toBe(403);

  const rec = (await create(good)).body.data;
  expect((await api.get('/api/inbound/inb_0000000000')).status).toBe(404);
  expect((await api.get('/api/inbound/no%20such')).status).toBe(400);
  expect((await receive(rec.id, 9, 1)).status).toBe(404);
  expect((await api.request('POST', `/api/inbound/${rec.id}/lines/0/receive`, { quantity: 1 })).status).toBe(400);
  expect((await api.request('POST', `/api/inbound/${rec.id}/lines/1/receive`, { quantity: -1 })).status).toBe(422);
  expect((await api.request('POST', `/api/inbound/${rec.id}/lines/1/receive`, {})).status).toBe(400);
  // a key limited to another warehouse neither sees nor receives it; another tenant does not either
  const limited = await makeKey(api.tenant, ['inventory:read', 'inventory:write'], 'limited', [wh2]);
  expect((await api.get(`/api/inbound/${rec.id}`, limited)).status).toBe(404);
  expect((await api.request('POST', `/api/inbound/${rec.id}/lines/1/receive`, { quantity: 1 }, { key: limited })).status).toBe(404);
  expect((await create(good, limited)).status).toBe(403);
  const other = await api.otherTenant();
  expect((await api.get(`/api/inbound/${rec.id}`, other.key)).status).toBe(404);
  const reader = await makeKey(api.tenant, ['inventory:read'], 'reader');
  expect((await api.request('POST', `/api/inbound/${rec.id}/lines/1/cancel`, {}, { key: reader })).status).toBe(403);
  expect(await figures(a)).toMatchObject({ on_hand: 5, incoming: 2 });
});

test('a keyed receipt applies once: the retry is replayed, nothing moves twice', async () => {
  const a = await sku(0);
  const rec = (await create({ type: 'transfer', reference: 'TR-9', warehouse_id: wh, lines: [{ sku: a.sku, quantity: 10, expected_at: '2026-12-20' }] })).body
    .data;
  const first = await receive(rec.id, 1, 4, { 'idempotency-key': 'rcv-1' });
  const second = await receive(rec.id, 1, 4, { 'idempotency-key': 'rcv-1' });
  expect([first.status, second.status]).toEqual([200, 200]);
  expect(second.headers.get('idempotency-replayed')).toBe('true');
  expect(await figures(a)).toMatchObject({ on_hand: 4, incoming: 6, ledger_stocked: 4 });
  expect((await ledgerRows(api.tenant, a.iid)).find((r) => r.field === 'stocked_quantity')?.reason).toBe('transfer_in');
  // a keyed create too: the retry answers the same record, incoming rose once
  const body = { type: 'purchase_order', reference: 'PO-K', warehouse_id: wh, lines: [{ sku: a.sku, quantity: 3, expected_at: '2026-12-21' }] };
  const c1 = await api.request('POST', '/api/inbound', body, { headers: { 'idempotency-key': 'inb-create-1' } });
  const c2 = await api.request('POST', '/api/inbound', body, { headers: { 'idempotency-key': 'inb-create-1' } });
  expect([c1.status, c2.status]).toEqual([201, 201]);
  expect(c2.body.data.id).toBe(c1.body.data.id);
  expect(await figures(a)).toMatchObject({ on_hand: 4, incoming: 9 });
});

test('races: two receipts of one line never over-receive; a receipt racing a cancel applies once', async () => {
  for (let round = 0; round < 4; round++) {
    const a = await sku(0);
    const rec = (
      await create({ type: 'purchase_order', reference: `PO-R${round}`, warehouse_id: wh, lines: [{ sku: a.sku, quantity: 10, expected_at: '2026-12-20' }] })
    ).body.data;
    const [r1, r2] = await Promise.all([receive(rec.id, 1, 6), receive(rec.id, 1, 6)]);
    expect([r1.status, r2.status].sort()).toEqual([200, 422]);
    expect(await figures(a)).toMatchObject({ on_hand: 6, incoming: 4, ledger_stocked: 6 });

    const [rc, cc] = await Promise.all([receive(rec.id, 1, 3), cancel(rec.id, 1)]);
    const line = (await api.get(`/api/inbound/${rec.id}`)).body.data.lines[0];
    expect(line.status).toBe('cancelled');
    expect(cc.status).toBe(200);
    if (rc.status === 200) {
      // the receipt first, then the cancel of what it left
      expect(line).toMatchObject({ received_quantity: 9, cancelled_quantity: 1 });
      expect(await figures(a)).toMatchObject({ on_hand: 9, incoming: 0, ledger_stocked: 9 });
    } else {
      expect(rc.status).toBe(409);
      expect(line).toMatchObject({ received_quantity: 6, cancelled_quantity: 4 });
      expect(await figures(a)).toMatchObject({ on_hand: 6, incoming: 0, ledger_stocked: 6 });
    }
  }
}, 60_000);

test('availability by date: on hand now + inbound expected by then − reserved − safety; the lines that made it possible; one Query of the partition', async () => {
  const a = await sku(10);
  expect((await api.post(`/admin/inventory-items/${a.iid}/location-levels/${wh}`, { safety_stock: 2 })).status).toBe(200);
  expect((await api.post('/admin/reservations', { inventory_item_id: a.iid, location_id: wh, quantity: 3 })).status).toBe(200);
  const rec = (
    await create({
      type: 'purchase_order',
      reference: 'PO-ATP',
      warehouse_id: wh,
      lines: [
        { sku: a.sku, quantity: 20, expected_at: '2026-12-20' },
        { sku: a.sku, quantity: 30, expected_at: '2027-01-15' },
      ],
    })
  ).body.data;
  const atp = async (date?: string, quantity = 1) =>
    (await api.get(`/api/inventory/${a.sku}/availability?quantity=${quantity}${date ? `&date=${date}` : ''}`)).body.data;
  const now = await atp();
  expect(now).toMatchObject({ can_hold: true, allocatable: 5 }); // 10 − 3 − 2
  expect(now.date).toBeUndefined();
  expect(now.components[0].warehouses[0].inbound).toBeUndefined();

  const before = await atp('2026-12-19', 6);
  expect(before).toMatchObject({ can_hold: false, allocatable: 5, date: '2026-12-19T23:59:59.999Z' });
  expect(before.components[0].warehouses[0]).toMatchObject({ incoming_by_date: 0, inbound: [] });

  const { out: onDay, requests, kinds } = await counter.count(() => atp('2026-12-20', 25));
  expect(onDay).toMatchObject({ can_hold: true, allocatable: 25 });
  const w = onDay.components[0].warehouses[0];
  expect(w).toMatchObject({ incoming_by_date: 20, allocatable: 25 });
  expect(w.inbound).toEqual([
    {
      inbound_id: rec.id,
      line: 1,
      type: 'purchase_order',
      reference: 'PO-ATP',
      expected_at: '2026-12-20T00:00:00.000Z',
      remaining_quantity: 20,
      promised_quantity: 0,
      free_quantity: 20,
      late: expect.any(Boolean),
    },
  ]);
  expect(w.why).toContain('PO-ATP line 1: 20 expected');
  expect(onDay.reason).toContain('promised by 2026-12-20');
  // the API key (the authorizer's GetItem), then the route's 3: the sku guard (GetItem), the item's
  // partition (one Query: item, levels and inbound lines) and the warehouses (their index entries, then
  // the rows by key: the index projects no attribute a write changes)
  expect(kinds).toEqual({ GetItemCommand: 2, QueryCommand: 2, BatchGetItemCommand: 1 });
  expect(requests).toBe(5);

  expect(await atp('2027-02-01')).toMatchObject({ allocatable: 55 });
  // received units move from inbound to on hand: the figure by a later date does not change
  await receive(rec.id, 1, 20);
  expect(await atp('2027-02-01')).toMatchObject({ allocatable: 55 });
  expect(await atp()).toMatchObject({ allocatable: 25 });
  // a cancelled line no longer counts
  await cancel(rec.id, 2);
  expect(await atp('2027-02-01')).toMatchObject({ allocatable: 25 });
  expect((await api.get(`/api/inventory/${a.sku}/availability?date=soon`)).status).toBe(400);
});

test('variant availability by date: each component counts its own inbound', async () => {
  const mug = await sku(1);
  const lid = await sku(10);
  for (const [item, q] of [
    [mug, 2],
    [lid, 1],
  ] as const)
    expect((await api.post('/admin/products/prod_inb/variants/var_inb/inventory-items', { inventory_item_id: item.iid, required_quantity: q })).status).toBe(
      200,
    );
  await create({ type: 'purchase_order', reference: 'PO-MUG', warehouse_id: wh, lines: [{ sku: mug.sku, quantity: 9, expected_at: '2026-12-22' }] });
  const now = (await api.get('/api/variants/prod_inb/var_inb/availability')).body.data;
  expect(now).toMatchObject({ allocatable: 0, can_hold: false });
  const later = (await api.get('/api/variants/prod_inb/var_inb/availability?date=2026-12-22&quantity=5')).body.data;
  expect(later).toMatchObject({ allocatable: 5, can_hold: true });
  expect(later.components.find((c: any) => c.sku === mug.sku).warehouses[0].incoming_by_date).toBe(9);
});
