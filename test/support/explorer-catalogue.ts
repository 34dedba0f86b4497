/**
 * The schedule explorer's operations, each one request (or one background job) on the world of
 * test/support/explorer.ts: one item, warehouses A and B (stock `stockA` / `stockB`), a setup
 * reservation of 2 at A (`w.rid`) and a setup hold of 1 at A (`w.hid`). HTTP paths only (through
 * the local server's handler): nothing here knows the store, so the write-path refactor leaves it be.
 *
 * To add an operation: add an OpSpec here (name, run, keyable, and what an accepted one does:
 * `lowers`, `stockDelta`, `ledgerRows`, `check`), then name it in a test file's pair list.
 */
import { consume, crashedAttempt, expireAll, INBOUND_LINE, lockMs, materialise, park, uploadRows } from './explorer.ts';
import type { OpCtx, OpSpec, Outcome, TenantState } from './explorer.ts';
import type { Answer } from './explorer-ops.ts';

const ok = (a: Answer) => a.status >= 200 && a.status < 300;
const refusedA = (a: Answer) => a.status >= 400 && a.status < 500;
const levelPath = (c: OpCtx, wid = c.w.A) => `/admin/inventory-items/${c.w.iid}/location-levels/${wid}`;
const acceptedAny = (others: Outcome[], names: string[]) => others.some((o) => ok(o.answer) && names.includes(o.op.name));

/** The setup reservation: 2 units at A. */
export const SETUP_RESERVED = 2;
/** The setup hold: 1 unit at A. */
export const SETUP_HELD = 1;

/** A created reservation: there when it was answered 2xx, absent when refused (nothing else deletes it in a pair). */
function createdReservation(q: number) {
  return (c: OpCtx, a: Answer, s: TenantState, others: Outcome[]) => {
    const mine = s.reservations.filter((r) => r.line_item_id === c.tag);
    if (ok(a) && !mine.length && !acceptedAny(others, ['item-delete', 'reconcile'])) return `answered ${a.status} but no reservation of line ${c.tag} exists`;
    if (ok(a) && mine.length && Number(mine[0].quantity) !== q) return `answered ${a.status} but the reservation holds ${mine[0].quantity}, not ${q}`;
    if (refusedA(a) && mine.length) return `refused (${a.status}) but reservation ${mine[0].id} of line ${c.tag} exists`;
    if (mine.length > 1) return `${mine.length} reservations of one request`;
    return undefined;
  };
}

/** The setup reservation after an op that changes it: a 2xx answer must be visible, a refusal must leave it. */
function setupReservation(expect: (r: Record<string, any> | undefined, c: OpCtx) => string | undefined, others: string[]) {
  return (c: OpCtx, a: Answer, s: TenantState, o: Outcome[]) => {
    if (acceptedAny(o, others)) return undefined; // another accepted op of the pair may have moved it too
    const r = s.reservations.find((x) => x.id === c.w.rid);
    if (ok(a)) return expect(r, c);
    return undefined;
  };
}
/**
 * A transfer step's ledger rows (reference: the setup transfer, this step's reason): `n` when it was
 * answered 2xx, none when refused (unless another accepted op of the pair is the same step).
 */
function transferRows(reason: string, n: number, same: string[]) {
  return (c: OpCtx, a: Answer, s: TenantState, others: Outcome[]) => {
    const rows = s.ledger.filter((r) => r.reference === c.w.xid && r.reason === reason).length;
    if (acceptedAny(others, same)) return rows === n ? undefined : `two ${reason} steps: ${rows} rows, expected ${n}`;
    if (ok(a) && rows !== n) return `answered ${a.status} but wrote ${rows} ${reason} rows (expected ${n})`;
    if (refusedA(a) && rows) return `refused (${a.status}) but wrote ${rows} ${reason} rows`;
    return undefined;
  };
}
const RES_OPS = ['release', 'fulfil', 'grow', 'move', 'item-delete', 'hold-expire'];

/**
 * The setup inbound line after an op on it: never received past its quantity, its level's incoming
 * = what the open line still brings (store/levels.ts I9), and an accepted step visible on the line.
 */
function inboundLine(expect: (line: Record<string, any>) => string | undefined) {
  return (c: OpCtx, a: Answer, s: TenantState, others: Outcome[]) => {
    if (acceptedAny(others, ['item-delete'])) return undefined;
    const line = s.inbound.find((l) => l.inbound_id === c.w.inb);
    if (!line) return 'the setup inbound line is gone';
    if (Number(line.received_quantity) > INBOUND_LINE) return `line received ${line.received_quantity} of ${INBOUND_LINE}`;
    const incoming = Number(s.levels.get(c.w.A)?.row.incoming_quantity ?? 0);
    const open = line.status === 'open' ? INBOUND_LINE - Number(line.received_quantity) : 0;
    if (incoming !== open) return `incoming at A is ${incoming}, the open line brings ${open}`;
    return ok(a) ? expect(line) : undefined;
  };
}

export const OPS: Record<string, OpSpec> = {
  reserve: {
    name: 'reserve',
    keyable: true,
    stockDelta: 0,
    run: (c) => c.http('POST', '/admin/reservations', { inventory_item_id: c.w.iid, location_id: c.w.A, quantity: 3, line_item_id: c.tag }),
    check: createdReservation(3),
  },
  /** More than one shard of a hot level holds: it takes the level's path (unparking) or is refused. */
  'reserve-6': {
    name: 'reserve-6',
    keyable: true,
    stockDelta: 0,
    run: (c) => c.http('POST', '/admin/reservations', { inventory_item_id: c.w.iid, location_id: c.w.A, quantity: 6, line_item_id: c.tag }),
    check: createdReservation(6),
  },
  release: {
    name: 'release',
    keyable: true,
    stockDelta: 0,
    run: (c) => c.http('DELETE', `/admin/reservations/${c.w.rid}`),
    check: setupReservation(
      (r) => (r ? `answered released, but reservation is still open (${r.quantity})` : undefined),
      RES_OPS.filter((n) => n !== 'release'),
    ),
  },
  fulfil: {
    name: 'fulfil',
    keyable: true,
    // −(the reservation's quantity when fulfilled): 2 as set up, 5 after a grow — not a constant, so not checked
    run: (c) => c.http('POST', `/admin/reservations/${c.w.rid}/fulfill`),
    check: setupReservation(
      (r) => (r ? `answered fulfilled, but reservation is still open (${r.quantity})` : undefined),
      RES_OPS.filter((n) => n !== 'fulfil'),
    ),
  },
  grow: {
    name: 'grow',
    keyable: true,
    stockDelta: 0,
    run: (c) => c.http('POST', `/admin/reservations/${c.w.rid}`, { quantity: 5 }),
    check: setupReservation(
      (r) => (r && Number(r.quantity) === 5 ? undefined : `answered grown to 5, reservation holds ${r?.quantity ?? 'nothing'}`),
      RES_OPS.filter((n) => n !== 'grow'),
    ),
  },
  move: {
    name: 'move',
    needs: ['B'],
    keyable: true,
    stockDelta: 0,
    run: (c) => c.http('POST', `/admin/reservations/${c.w.rid}`, { location_id: c.w.B }),
    check: setupReservation(
      (r, c) => (r && r.location_id === c.w.B ? undefined : `answered moved to B, reservation is at ${r?.location_id ?? 'nothing'}`),
      RES_OPS.filter((n) => n !== 'move'),
    ),
  },
  count: {
    name: 'count',
    keyable: true,
    lowers: true,
    ledgerRows: 1,
    absolute: true,
    run: (c) => c.http('PUT', `/api/inventory/${encodeURIComponent(c.w.sku)}`, { warehouse_id: c.w.A, quantity: 4, reason: 'cycle_count', note: c.tag }),
  },
  /** The same count through the admin level update (stocked_quantity). */
  'level-count': {
    name: 'level-count',
    keyable: true,
    lowers: true,
    ledgerRows: 1,
    absolute: true,
    run: (c) => c.http('POST', levelPath(c), { stocked_quantity: 4, reason: 'cycle_count', note: c.tag }),
  },
  /** The same count through Medusa's level batch (one transaction with whatever else the batch holds; the batch takes no note). */
  'batch-count': {
    name: 'batch-count',
    keyable: true,
    lowers: true,
    absolute: true,
    run: (c) => c.http('POST', `/admin/inventory-items/${c.w.iid}/location-levels/batch`, { update: [{ location_id: c.w.A, stocked_quantity: 4 }] }),
  },
  'adjust-down': {
    name: 'adjust-down',
    keyable: true,
    lowers: true,
    stockDelta: -3,
    ledgerRows: 1,
    run: (c) => c.http('POST', `${levelPath(c)}/adjust`, { adjustment: -3, reason: 'damage', note: c.tag }),
  },
  'adjust-up': {
    name: 'adjust-up',
    keyable: true,
    stockDelta: 4,
    ledgerRows: 1,
    run: (c) => c.http('POST', `${levelPath(c)}/adjust`, { adjustment: 4, reason: 'supplier_receipt', note: c.tag }),
  },
  transfer: {
    name: 'transfer',
    needs: ['B'],
    keyable: true,
    lowers: true,
    stockDelta: 0,
    ledgerRows: 2,
    run: (c) =>
      c.http('POST', `/api/inventory/${encodeURIComponent(c.w.sku)}/transfers`, { from_warehouse_id: c.w.A, to_warehouse_id: c.w.B, quantity: 3, note: c.tag }),
  },
  /** A move of 2 units at A from available to damaged (issue 25): never below the floor, one ledger row. */
  'state-move': {
    name: 'state-move',
    keyable: true,
    stockDelta: 0,
    ledgerRows: 1,
    run: (c) =>
      c.http('POST', `/api/inventory/${encodeURIComponent(c.w.sku)}/moves`, {
        warehouse_id: c.w.A,
        from: 'available',
        to: 'damaged',
        quantity: 2,
        note: c.tag,
      }),
  },
  /** Ship the setup draft (3 units A → B): A's on-hand −3, B's in_transit +3, in one transaction. */
  ship: {
    name: 'ship',
    needs: ['B', 'draft'],
    keyable: true,
    lowers: true,
    stockDelta: 0,
    run: (c) => c.http('POST', `/api/transfers/${c.w.xid}/ship`),
    check: transferRows('transfer_out', 2, ['ship']),
  },
  /** Receive the shipped setup transfer whole: 2 accepted, 1 rejected to damaged at B. */
  receive: {
    name: 'receive',
    needs: ['B', 'shipped'],
    keyable: true,
    stockDelta: 0,
    run: (c) => c.http('POST', `/api/transfers/${c.w.xid}/receive`, { lines: [{ sku: c.w.sku, accepted: 2, rejected: 1 }] }),
    check: (c, a, s, others) =>
      transferRows('transfer_in', 3, ['receive'])(c, a, s, others) ??
      (ok(a) && acceptedAny(others, ['transfer-cancel']) ? 'a receipt and a cancel of the same units both accepted' : undefined),
  },
  /** Cancel the shipped setup transfer: the 3 units in transit back on A's on-hand. */
  'transfer-cancel': {
    name: 'transfer-cancel',
    needs: ['B', 'shipped'],
    keyable: true,
    stockDelta: 0,
    run: (c) => c.http('POST', `/api/transfers/${c.w.xid}/cancel`),
    check: transferRows('return', 2, ['transfer-cancel']),
  },
  bulk: {
    name: 'bulk',
    keyable: true,
    lowers: true,
    run: (c) => c.http('POST', '/api/inventory/bulk', { updates: [{ sku: c.w.sku, warehouse_id: c.w.A, quantity: 5, reason: 'cycle_count', note: c.tag }] }),
    check: (c, a, s) => {
      const mine = s.ledger.filter((r) => r.note === c.tag).length;
      const applied = Number(a.body?.data?.applied ?? 0);
      if (ok(a) && mine !== applied) return `answered ${applied} row(s) applied, ${mine} ledger row(s) written`;
      if (refusedA(a) && mine) return `refused (${a.status}) but wrote ${mine} ledger rows`;
      return undefined;
    },
  },
  /** A one-row CSV upload (set mode), processed by the upload processor; its rows are absolute like bulk's. */
  upload: {
    name: 'upload',
    // the Idempotency-Key would cover only the POST that creates the job, not its rows (a replay's PUT is refused)
    keyable: false,
    lowers: true,
    run: (c) => uploadRows(c.w.tenant, c.w.key, `sku,warehouse_id,quantity,reason,note\n${c.w.sku},${c.w.A},5,cycle_count,${c.tag}\n`),
    check: (c, a, s) => {
      const mine = s.ledger.filter((r) => r.note === c.tag).length;
      const job = a.body?.data;
      if (ok(a) && job?.status !== 'completed') return `the upload ended ${job?.status}: ${JSON.stringify(job?.error ?? job?.errors)}`;
      if (ok(a) && mine !== Number(job.rows_applied)) return `job says ${JSON.stringify(job).slice(0, 160)}, ${mine} ledger row(s) written`;
      return undefined;
    },
  },
  'hold-create': {
    name: 'hold-create',
    keyable: true,
    stockDelta: 0,
    run: (c) => c.http('POST', '/api/holds', { reference: c.tag, lines: [{ sku: c.w.sku, quantity: 3, warehouse_id: c.w.A }], expires_in_seconds: 600 }),
    check: (c, a, s, others) => {
      const hid = a.body?.data?.id;
      const held = s.reservations.filter((r) => hid && JSON.stringify(r).includes(hid)).reduce((t, r) => t + Number(r.quantity), 0);
      if (ok(a) && held !== 3 && !acceptedAny(others, ['hold-expire', 'item-delete']))
        return `answered ${a.status} (hold ${hid}) but its open reservations hold ${held}, not 3`;
      return undefined;
    },
  },
  'hold-fulfil': {
    name: 'hold-fulfil',
    needs: ['hold'],
    keyable: true,
    stockDelta: -SETUP_HELD,
    run: (c) => c.http('POST', `/api/holds/${c.w.hid}/fulfill`, {}),
  },
  'hold-release': {
    name: 'hold-release',
    needs: ['hold'],
    keyable: true,
    stockDelta: 0,
    run: (c) => c.http('DELETE', `/api/holds/${c.w.hid}`),
  },
  'hold-expire': {
    name: 'hold-expire',
    needs: ['hold'],
    keyable: false,
    stockDelta: 0,
    run: async (c) => ({ status: 200, body: { released: await expireAll(c.w.tenant) } }),
  },
  'hot-on': {
    name: 'hot-on',
    keyable: true,
    stockDelta: 0,
    run: (c) => c.http('POST', levelPath(c), { hot_shards: 2 }),
  },
  'hot-off': {
    name: 'hot-off',
    keyable: true,
    stockDelta: 0,
    run: (c) => c.http('POST', levelPath(c), { hot_shards: 0 }),
  },
  /** A count whose expected quantity is wrong, with hot_shards in the same body: refused, so nothing may change. */
  'hot-refused': {
    name: 'hot-refused',
    keyable: true,
    lowers: true,
    ledgerRows: 1,
    run: (c) => c.http('POST', levelPath(c), { hot_shards: 3, stocked_quantity: 7, expected_quantity: 999, note: c.tag }),
    check: (c, a, s, others) => {
      const hot = s.levels.get(c.w.A)?.hotShards ?? 0;
      if (refusedA(a) && hot === 3 && !acceptedAny(others, ['hot-on'])) return `refused (${a.status}) but hot_shards is 3 afterwards`;
      return undefined;
    },
  },
  /** Hot mode switched on and the stream consumer parking right after (as it would within seconds). */
  'hot-park': {
    name: 'hot-park',
    keyable: true,
    stockDelta: 0,
    run: async (c) => {
      const a = await c.http('POST', levelPath(c), { hot_shards: 2 });
      if (ok(a)) await park(c.w.tenant, c.w.iid, c.w.A);
      return a;
    },
  },
  park: {
    name: 'park',
    keyable: false,
    stockDelta: 0,
    run: async (c) => ({ status: 200, body: { moved: await park(c.w.tenant, c.w.iid, c.w.A) } }),
  },
  'backorder-on': {
    name: 'backorder-on',
    keyable: true,
    stockDelta: 0,
    run: (c) => c.http('POST', `/admin/inventory-items/${c.w.iid}`, { allow_backorder: true, backorder_limit: 4 }),
  },
  'backorder-off': {
    name: 'backorder-off',
    keyable: true,
    lowers: true,
    stockDelta: 0,
    run: (c) => c.http('POST', `/admin/inventory-items/${c.w.iid}`, { allow_backorder: false }),
  },
  'readonly-on': {
    name: 'readonly-on',
    keyable: true,
    stockDelta: 0,
    run: (c) => c.http('PATCH', `/api/warehouses/${c.w.A}`, { is_readonly: true }),
  },
  'safety-up': {
    name: 'safety-up',
    keyable: true,
    lowers: true,
    stockDelta: 0,
    run: (c) => c.http('POST', levelPath(c), { safety_stock: 3 }),
  },
  'level-delete': {
    name: 'level-delete',
    needs: ['B'],
    keyable: true,
    run: (c) => c.http('DELETE', levelPath(c, c.w.B)),
  },
  /** B's level removed by Medusa's level batch (force: its stock written off), with A counted in the same transaction. */
  'batch-delete': {
    name: 'batch-delete',
    needs: ['B'],
    keyable: true,
    lowers: true,
    absolute: true,
    run: (c) =>
      c.http('POST', `/admin/inventory-items/${c.w.iid}/location-levels/batch`, {
        update: [{ location_id: c.w.A, stocked_quantity: 4 }],
        delete: [c.w.B],
        force: true,
      }),
  },
  'item-delete': {
    name: 'item-delete',
    keyable: true,
    run: (c) => c.http('DELETE', `/admin/inventory-items/${c.w.iid}`),
  },
  'warehouse-delete': {
    name: 'warehouse-delete',
    needs: ['B'],
    keyable: true,
    run: (c) => c.http('DELETE', `/admin/stock-locations/${c.w.B}`),
  },
  /** Receive 3 of the setup inbound line (of 5): a second one would over-receive and must be refused. */
  'inbound-receive': {
    name: 'inbound-receive',
    needs: ['inbound'],
    keyable: true,
    stockDelta: 3,
    ledgerRows: 2,
    run: (c) => c.http('POST', `/api/inbound/${c.w.inb}/lines/1/receive`, { quantity: 3, note: c.tag }),
    check: inboundLine((l) => (Number(l.received_quantity) < 3 ? `answered received, the line has ${l.received_quantity}` : undefined)),
  },
  'inbound-cancel': {
    name: 'inbound-cancel',
    needs: ['inbound'],
    keyable: true,
    stockDelta: 0,
    ledgerRows: 1,
    run: (c) => c.http('POST', `/api/inbound/${c.w.inb}/lines/1/cancel`, { note: c.tag }),
    check: inboundLine((l) => (l.status !== 'cancelled' ? `answered cancelled, the line is ${l.status}` : undefined)),
  },
  reconcile: {
    name: 'reconcile',
    keyable: true,
    stockDelta: 0,
    run: (c) => c.http('POST', '/api/reconcile', { repair: true }),
  },
  // ---- hot mode's escrow design (the `escrow` set-up: A hot with hot_design escrow, a reservation of 1 pending in a shard map)
  /** The stream consumer's turn at A: park / rebalance, then every pending entry its row and its id removed (run again after a crash). */
  materialise: {
    name: 'materialise',
    keyable: false,
    rerun: true,
    stockDelta: 0,
    run: async (c) => {
      await consume(c.w.tenant, c.w.iid, c.w.A);
      return { status: 200, body: {} };
    },
  },
  /**
   * The materialiser dying right after its first write (an entry's row, with its key record when it names one), before
   * the ids leave the map; the consumer's batch is handed over again and runs the whole turn.
   */
  'materialise-crashed': {
    name: 'materialise-crashed',
    keyable: false,
    stockDelta: 0,
    run: async (c) => {
      const first = await crashedAttempt(0, () => materialise(c.w.tenant, c.w.iid, c.w.A));
      await consume(c.w.tenant, c.w.iid, c.w.A);
      return first.status === 599 && !/crashed/.test(JSON.stringify(first.body)) ? first : { status: 200, body: {} };
    },
  },
  /**
   * A keyed reservation of 3 at A whose first attempt dies right after its write after the key's
   * claim (at an escrow level: the take, before any materialisation), retried by its client with the same key once the
   * key's lock has passed — inside the schedule, so the retry races the others (the consumer's sweep).
   * Send it keyed (`reserve-crashed#k`).
   */
  'reserve-crashed': {
    name: 'reserve-crashed',
    keyable: true,
    stockDelta: 0,
    run: async (c) => {
      if (!c.idemKey) throw new Error('reserve-crashed is a keyed request: name it reserve-crashed#k');
      const body = { inventory_item_id: c.w.iid, location_id: c.w.A, quantity: 3, line_item_id: c.tag };
      // write #0 is the Idempotency-Key's claim; #1 the take (escrow) or the transaction
      await crashedAttempt(1, () => c.http('POST', '/admin/reservations', body));
      let a: Answer = { status: 599, body: {} };
      for (let attempt = 0; attempt < 5; attempt++) {
        await new Promise((r) => setTimeout(r, lockMs() + 100));
        a = await c.http('POST', '/admin/reservations', body);
        if (!(a.status === 409 && /Idempotency-Key/i.test(JSON.stringify(a.body)))) break;
      }
      return a;
    },
    check: createdReservation(3),
  },
  /** Release the setup's pending reservation (made a row in the request, then released). */
  'release-pending': {
    name: 'release-pending',
    keyable: true,
    stockDelta: 0,
    run: (c) => c.http('DELETE', `/admin/reservations/${c.w.pid}`),
    check: (c, a, s) => {
      const left = s.reservations.filter((r) => r.id === c.w.pid);
      if (ok(a) && left.length) return `answered released, but ${c.w.pid} is still open (${left[0].pending ? 'pending' : 'a row'})`;
      if (refusedA(a) && !left.length && a.status !== 404) return `refused (${a.status}) but ${c.w.pid} is gone`;
      return undefined;
    },
  },
  /** A's design switched to the transactional shards (entries pending must become rows first, none lost). */
  'design-shards': {
    name: 'design-shards',
    keyable: true,
    stockDelta: 0,
    run: (c) => c.http('POST', levelPath(c), { hot_design: 'shards' }),
    check: (c, a, s, others) => {
      const l = s.levels.get(c.w.A);
      if (!ok(a) || !l || acceptedAny(others, ['design-escrow', 'hot-off', 'hot-on', 'hot-park'])) return undefined;
      if (l.row.hot_design !== 'shards') return `answered switched, but A's hot_design is ${l.row.hot_design}`;
      return undefined;
    },
  },
  /** A's design switched to escrow (at a hot level; refused with 400 at a level not hot). */
  'design-escrow': {
    name: 'design-escrow',
    keyable: true,
    stockDelta: 0,
    run: (c) => c.http('POST', levelPath(c), { hot_design: 'escrow' }),
  },
};
