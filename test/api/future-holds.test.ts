/**
 * Holds that promise future stock (issue 25 item 3, `allow_future`): what is not on hand is promised
 * from inbound lines expected by the hold's due date, never past what they still bring less what
 * other holds were promised; available-to-promise by date subtracts the promises; a receipt turns a
 * promise into the hold's reservation; a cancelled line re-plans its holds onto another line
 * expected in time, or releases them with the reason and an event. Races and keyed retries apply once.
 */
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replanLate } from '../../functions/core/promises.ts';
import { runAs } from '../../functions/store/db.ts';
import { handler as sweep } from '../../functions/scheduled/expire-reservations.ts';
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';

const events = join(tmpdir(), `future-hold-events-${process.pid}.ndjson`);
let api: Api;
let wh: string;
beforeAll(async () => {
  process.env.INVENTORY_EVENTS_FILE = events;
  api = await startApi();
  wh = (await api.post('/api/warehouses', { name: 'FUT-1' })).body.data.id;
});
afterAll(async () => {
  delete process.env.INVENTORY_EVENTS_FILE;
  rmSync(events, { force: true });
  await api.close();
});

const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
let n = 0;
async function sku(stocked: number) {
  const s = `FUT-${++n}-${Date.now()}`;
  const iid = (await api.post('/admin/inventory-items', { sku: s, title: s })).body.inventory_item.id;
  expect((await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh, stocked_quantity: stocked })).status).toBe(200);
  return { sku: s, iid };
}
const inbound = async (s: string, lines: { quantity: number; expected_at: string }[], reference = 'PO-F') =>
  (await api.post('/api/inbound', { type: 'purchase_order', reference, warehouse_id: wh, lines: lines.map((l) => ({ sku: s, ...l })) })).body.data;
const hold = (s: string, quantity: number, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  api.request('POST', '/api/holds', { reference: `order-${s}`, lines: [{ sku: s, quantity }], ...extra }, { headers });
const future = (s: string, quantity: number, due: string, headers: Record<string, string> = {}) =>
  hold(s, quantity, { allow_future: true, due_at: due }, headers);
const level = async (s: string) => (await api.get(`/api/inventory/${encodeURIComponent(s)}`)).body.data.warehouses.find((w: any) => w.warehouse_id === wh);
const lines = async (id: string) => (await api.get(`/api/inbound/${id}`)).body.data.lines;
const getHold = async (id: string) => (await api.get(`/api/holds/${id}`)).body.data;
const atp = async (s: string, date: string) => (await api.get(`/api/inventory/${encodeURIComponent(s)}/availability?quantity=1&date=${date}`)).body.data;
const published = (hid: string) =>
  readFileSync(events, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((e) => e.detail.hold_id === hid);
const promisedOn = (h: any) => h.lines.flatMap((l: any) => l.promises ?? []).map((p: any) => [p.inbound_id, p.line, p.quantity]);

test('a future hold takes what is on hand first, the rest from the earliest line expected by its due date; ATP by date subtracts it', async () => {
  const a = await sku(5);
  const rec = await inbound(a.sku, [
    { quantity: 4, expected_at: day(2) },
    { quantity: 20, expected_at: day(3) },
    { quantity: 50, expected_at: day(20) },
  ]);
  // without allow_future the order is short
  expect((await hold(a.sku, 12)).status).toBe(409);
  const res = await future(a.sku, 12, day(5));
  expect(res.status).toBe(201);
  const h = res.body.data;
  expect(h).toMatchObject({ allow_future: true, due_at: `${day(5)}T23:59:59.999Z`, status: 'active', release_reason: null });
  expect(h.lines[0].allocations.map((x: any) => x.quantity)).toEqual([5]);
  expect(promisedOn(h)).toEqual([
    [rec.id, 1, 4],
    [rec.id, 2, 3],
  ]);
  expect(h.expires_at > h.due_at).toBe(true);
  expect((await lines(rec.id)).map((l: any) => l.promised_quantity)).toEqual([4, 3, 0]);
  expect(await level(a.sku)).toMatchObject({ on_hand: 5, available: 0, reserved: 5, incoming: 74 });
  // by day 5: 0 available + (4 − 4) + (20 − 3) free; the explain names the lines and their promises
  const by5 = await atp(a.sku, day(5));
  expect(by5.allocatable).toBe(17);
  const w = by5.components[0].warehouses[0];
  expect(w.inbound.map((l: any) => [l.line, l.remaining_quantity, l.promised_quantity, l.free_quantity])).toEqual([
    [1, 4, 4, 0],
    [2, 20, 3, 17],
  ]);
  expect(w.why).toContain('promised to future holds');
  // never past what the lines bring by the due date: 18 more is one too many by day 5, fine by day 25
  expect((await future(a.sku, 18, day(5))).status).toBe(409);
  const big = await future(a.sku, 18, day(25));
  expect(big.status).toBe(201);
  expect(promisedOn(big.body.data)).toEqual([
    [rec.id, 2, 17],
    [rec.id, 3, 1],
  ]);
  // the fulfil of units not received yet is refused; release gives the promises back
  const f = await api.post(`/api/holds/${h.id}/fulfill`, {});
  expect(f.status).toBe(409);
  expect(JSON.stringify(f.body)).toContain('not received yet');
  expect((await api.del(`/api/holds/${big.body.data.id}`)).status).toBe(200);
  expect((await lines(rec.id)).map((l: any) => l.promised_quantity)).toEqual([4, 3, 0]);
  expect((await atp(a.sku, day(25))).allocatable).toBe(17 + 50);
});

test('bad input: allow_future needs due_at, due_at needs allow_future and the future; nothing is held', async () => {
  const a = await sku(0);
  const rec = await inbound(a.sku, [{ quantity: 10, expected_at: day(2) }]);
  const cases: [Record<string, unknown>, string][] = [
    [{ allow_future: true }, 'due_at'],
    [{ due_at: day(3) }, 'due_at'],
    [{ allow_future: true, due_at: '2020-01-01' }, 'due_at'],
    [{ allow_future: true, due_at: day(400) }, 'due_at'],
    [{ allow_future: true, due_at: 'tomorrow' }, 'due_at'],
    [{ allow_future: 'yes', due_at: day(3) }, 'allow_future'],
  ];
  for (const [extra, field] of cases) {
    const res = await hold(a.sku, 1, extra);
    expect([400, 422]).toContain(res.status);
    expect(JSON.stringify(res.body)).toContain(field);
  }
  // expected after the due date does not count
  expect((await future(a.sku, 1, day(1))).status).toBe(409);
  expect((await lines(rec.id))[0].promised_quantity).toBe(0);
  expect(await level(a.sku)).toMatchObject({ reserved: 0 });
});

test('a receipt turns the promise into the hold’s reservation (oldest hold first); then the hold fulfils', async () => {
  const a = await sku(0);
  const rec = await inbound(a.sku, [{ quantity: 10, expected_at: day(2) }]);
  const h1 = (await future(a.sku, 4, day(3))).body.data;
  const h2 = (await future(a.sku, 5, day(3))).body.data;
  expect((await lines(rec.id))[0].promised_quantity).toBe(9);
  const r = await api.post(`/api/inbound/${rec.id}/lines/1/receive`, { quantity: 6 });
  expect(r.status).toBe(200);
  expect(r.body.data.lines[0]).toMatchObject({ received_quantity: 6, remaining_quantity: 4, promised_quantity: 3 });
  const g1 = await getHold(h1.id);
  const g2 = await getHold(h2.id);
  expect(g1.lines[0].allocations.map((x: any) => x.quantity)).toEqual([4]);
  expect(promisedOn(g1)).toEqual([]);
  expect(g2.lines[0].allocations.map((x: any) => x.quantity)).toEqual([2]);
  expect(promisedOn(g2)).toEqual([[rec.id, 1, 3]]);
  expect(await level(a.sku)).toMatchObject({ on_hand: 6, reserved: 6, available: 0, incoming: 4 });
  const res = (await api.get(`/admin/reservations?inventory_item_id=${a.iid}`)).body.reservations;
  expect(res.reduce((x: number, y: any) => x + y.quantity, 0)).toBe(6);
  expect((await api.post(`/api/holds/${h1.id}/fulfill`, {})).body.data.status).toBe('fulfilled');
  expect((await api.post(`/api/inbound/${rec.id}/lines/1/receive`, { quantity: 4 })).status).toBe(200);
  expect(await level(a.sku)).toMatchObject({ on_hand: 6, reserved: 5, available: 1, incoming: 0 });
  expect((await api.post(`/api/holds/${h2.id}/fulfill`, {})).body.data.status).toBe('fulfilled');
  expect(await level(a.sku)).toMatchObject({ on_hand: 1, reserved: 0, available: 1 });
});

test('a cancelled line re-plans its holds onto another line expected in time, else releases them with the reason and an event', async () => {
  const a = await sku(2);
  const rec = await inbound(a.sku, [
    { quantity: 5, expected_at: day(2) },
    { quantity: 5, expected_at: day(4) },
  ]);
  const h = (await future(a.sku, 6, day(6))).body.data;
  expect(promisedOn(h)).toEqual([[rec.id, 1, 4]]);
  // line 1 cancelled: line 2 (day 4) still has 5 free → the 4 move there
  expect((await api.post(`/api/inbound/${rec.id}/lines/1/cancel`, {})).status).toBe(200);
  const moved = await getHold(h.id);
  expect(moved.status).toBe('active');
  expect(promisedOn(moved)).toEqual([[rec.id, 2, 4]]);
  expect((await lines(rec.id)).map((l: any) => l.promised_quantity)).toEqual([0, 4]);
  expect(published(h.id).map((e) => e.type)).toEqual(['inventory.hold.replanned']);
  // line 2 cancelled too: nothing else comes by day 6 → released, reservations back, reason on it
  const keyed = { 'idempotency-key': `cancel-${h.id}` };
  const c1 = await api.request('POST', `/api/inbound/${rec.id}/lines/2/cancel`, {}, { headers: keyed });
  const c2 = await api.request('POST', `/api/inbound/${rec.id}/lines/2/cancel`, {}, { headers: keyed });
  expect([c1.status, c2.status]).toEqual([200, 200]);
  expect(c2.headers.get('idempotency-replayed')).toBe('true');
  const gone = await getHold(h.id);
  expect(gone.status).toBe('released');
  expect(gone.release_reason).toContain('was cancelled');
  expect(await level(a.sku)).toMatchObject({ on_hand: 2, reserved: 0, available: 2, incoming: 0 });
  expect((await lines(rec.id)).map((l: any) => l.promised_quantity)).toEqual([0, 0]);
  const ev = published(h.id);
  expect(ev.map((e) => e.type)).toEqual(['inventory.hold.replanned', 'inventory.hold.released']);
  expect(ev[1].detail).toMatchObject({ hold_id: h.id, reference: h.reference });
  expect(new Set(ev.map((e) => e.id)).size).toBe(2);
});

test('races: two future holds for the last expected units never over-promise; a cancel racing a receipt applies once', async () => {
  for (let round = 0; round < 3; round++) {
    const a = await sku(0);
    const rec = await inbound(a.sku, [{ quantity: 10, expected_at: day(2) }]);
    const [x, y] = await Promise.all([future(a.sku, 7, day(3)), future(a.sku, 7, day(3))]);
    expect([x.status, y.status].sort()).toEqual([201, 409]);
    const l = (await lines(rec.id))[0];
    expect(l.promised_quantity).toBe(7);
    const won = (x.status === 201 ? x : y).body.data;

    const [rc, cc] = await Promise.all([
      api.post(`/api/inbound/${rec.id}/lines/1/receive`, { quantity: 5 }),
      api.post(`/api/inbound/${rec.id}/lines/1/cancel`, {}),
    ]);
    expect(cc.status).toBe(200);
    const after = (await lines(rec.id))[0];
    expect(after.status).toBe('cancelled');
    const h = await getHold(won.id);
    // either way the hold is released (nothing else comes) and nothing stays reserved
    expect(h.status).toBe('released');
    expect(after.promised_quantity).toBe(0);
    const lv = await level(a.sku);
    expect(lv.reserved).toBe(0);
    if (rc.status === 200) {
      // the receipt first: 5 became the hold's reservation, then its release gave them back
      expect(after.received_quantity).toBe(5);
      expect(lv).toMatchObject({ on_hand: 5, available: 5, incoming: 0 });
    } else {
      expect(rc.status).toBe(409);
      expect(after.received_quantity).toBe(0);
      expect(lv).toMatchObject({ on_hand: 0, available: 0, incoming: 0 });
    }
  }
}, 90_000);

test('a keyed future hold is created once: the retry answers the same hold, the line is promised once', async () => {
  const a = await sku(1);
  const rec = await inbound(a.sku, [{ quantity: 10, expected_at: day(2) }]);
  const k = { 'idempotency-key': `fut-${a.sku}` };
  const [h1, h2] = [await future(a.sku, 4, day(3), k), await future(a.sku, 4, day(3), k)];
  expect([h1.status, h2.status]).toEqual([201, 201]);
  expect(h2.body.data.id).toBe(h1.body.data.id);
  expect((await lines(rec.id))[0].promised_quantity).toBe(3);
  expect(await level(a.sku)).toMatchObject({ reserved: 1, available: 0 });
});

test('a late line (past expected_at, not received) re-plans its holds in the sweep: onto a line still in time, else released', async () => {
  const a = await sku(1);
  const soon = new Date(Date.now() + 2500).toISOString();
  const rec = await inbound(a.sku, [
    { quantity: 3, expected_at: soon },
    { quantity: 2, expected_at: day(3) },
  ]);
  const moves = (await future(a.sku, 4, day(5))).body.data; // 1 on hand + 3 of line 1
  const gone = (await future(a.sku, 2, day(5))).body.data; // 2 of line 2
  expect(promisedOn(moves)).toEqual([[rec.id, 1, 3]]);
  expect(promisedOn(gone)).toEqual([[rec.id, 2, 2]]);
  // nothing is late yet: the sweep finds nothing
  expect(await replanLate(api.tenant)).toEqual([]);
  await new Promise((r) => setTimeout(r, 3000));
  // line 1 is late: its hold cannot move (line 2 is fully promised) → released, its reservation back
  const out = await runAs('ExpireReservations', () => sweep()); // with the sweeper's own grants
  expect(out.replanned).toBeGreaterThanOrEqual(1);
  const h = await getHold(moves.id);
  expect(h.status).toBe('released');
  expect(h.release_reason).toContain('is late');
  expect(await level(a.sku)).toMatchObject({ reserved: 0, available: 1 });
  expect((await lines(rec.id)).map((l: any) => l.promised_quantity)).toEqual([0, 2]);
  expect((await getHold(gone.id)).status).toBe('active');
  expect(published(moves.id).map((e) => e.type)).toEqual(['inventory.hold.released']);
  // a second sweep has nothing left to do
  expect(await replanLate(api.tenant)).toEqual([]);
}, 240_000);

test('a new expected date past a hold’s due date re-plans it (or releases it); an earlier one keeps it; bad dates are a 4xx that changes nothing', async () => {
  const a = await sku(1);
  const rec = await inbound(a.sku, [
    { quantity: 5, expected_at: day(2) },
    { quantity: 5, expected_at: day(3) },
  ]);
  const h = (await future(a.sku, 4, day(4))).body.data; // 1 on hand + 3 of line 1
  expect(promisedOn(h)).toEqual([[rec.id, 1, 3]]);
  expect(await level(a.sku)).toMatchObject({ reserved: 1, available: 0 });
  const expected = (line: number, body: unknown, headers: Record<string, string> = {}) =>
    api.request('POST', `/api/inbound/${rec.id}/lines/${line}/expected`, body, { headers });
  // earlier: the promise stands, the line moves
  const earlier = await expected(1, { expected_at: day(1) });
  expect(earlier.status).toBe(200);
  expect(earlier.body.data.lines[0]).toMatchObject({ expected_at: `${day(1)}T00:00:00.000Z`, promised_quantity: 3 });
  expect(promisedOn(await getHold(h.id))).toEqual([[rec.id, 1, 3]]);
  // bad input
  for (const body of [{ expected_at: '2020-01-01' }, { expected_at: 'soon' }, {}, { expected_at: day(5), extra: 1 }]) {
    const res = await expected(1, body);
    expect([400, 422]).toContain(res.status);
    expect(JSON.stringify(res.body)).toMatch(/expected_at|extra/);
  }
  expect((await expected(9, { expected_at: day(5) })).status).toBe(404);
  // past the due date: the 3 move to line 2 (day 3)
  const later = await expected(1, { expected_at: day(9), note: 'ship date moved' }, { 'idempotency-key': `exp-${h.id}` });
  expect(later.status).toBe(200);
  expect(promisedOn(await getHold(h.id))).toEqual([[rec.id, 2, 3]]);
  expect((await lines(rec.id)).map((l: any) => l.promised_quantity)).toEqual([0, 3]);
  // the keyed retry is replayed: nothing moves again
  const again = await expected(1, { expected_at: day(9), note: 'ship date moved' }, { 'idempotency-key': `exp-${h.id}` });
  expect(again.headers.get('idempotency-replayed')).toBe('true');
  expect(published(h.id).map((e) => e.type)).toEqual(['inventory.hold.replanned']);
  expect(published(h.id)[0].detail).toMatchObject({ note: 'ship date moved', promises: [expect.objectContaining({ line: 2, quantity: 3 })] });
  // line 2 past the due date too: nothing else by day 4 → released
  expect((await expected(2, { expected_at: day(10) })).status).toBe(200);
  const gone = await getHold(h.id);
  expect(gone.status).toBe('released');
  expect(gone.release_reason).toContain("after the hold's due date");
  expect(await level(a.sku)).toMatchObject({ reserved: 0, available: 1 });
  // a closed line's date cannot change
  await api.post(`/api/inbound/${rec.id}/lines/2/cancel`, {});
  expect((await expected(2, { expected_at: day(11) })).status).toBe(409);
});
