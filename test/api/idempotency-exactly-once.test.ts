/**
 * Issue 11, finding 1: an Idempotency-Key takes effect at most once, whatever fails after the
 * write. Each test replays one reported interleaving through a client middleware that fails or
 * pauses a chosen command (DynamoDB Local itself is real); each failed on the code before the fix.
 */
import { SCOPES } from '../../functions/core/model.ts';
import { makeKey, startApi } from '../support/api.ts';
import { expireClaim } from '../support/idempotency.ts';
import type { Api } from '../support/api.ts';
import { useClientWith } from '../support/client.ts';
import { ledgerRows } from '../support/ledger.ts';
import { latch } from '../support/latch.ts';

type Fault =
  | { kind: 'none' }
  /** Every read fails (throttled) once a transaction has committed: the response cannot be built. */
  | { kind: 'fail-reads-after-commit'; committed: boolean }
  /** The command matching `match` waits for `gate` and then fails: a process that died right there. */
  | { kind: 'hang'; match: (command: string, input: string) => boolean; reached: () => void; gate: Promise<void> };

let fault: Fault = { kind: 'none' };
const READS = new Set(['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand']);

let api: Api;
let restore: () => void;
let wh: string;
let iid: string;
beforeAll(async () => {
  api = await startApi();
  restore = useClientWith('exactlyOnceFaults', (next, context) => async (args) => {
    const f = fault;
    if (f.kind === 'fail-reads-after-commit') {
      if (f.committed && READS.has(String(context.commandName))) {
        throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException', $metadata: {} });
      }
      const out = await next(args);
      if (context.commandName === 'TransactWriteItemsCommand') f.committed = true;
      return out;
    }
    if (f.kind === 'hang' && f.match(String(context.commandName), JSON.stringify(args.input))) {
      f.reached();
      await f.gate;
      throw Object.assign(new Error('the process died here'), { name: 'SimulatedCrash', $metadata: {} });
    }
    return next(args);
  });
  wh = (await api.post('/api/warehouses', { name: 'E1' })).body.data.id;
  iid = (await api.post('/admin/inventory-items', { sku: 'ONCE-1' })).body.inventory_item.id;
  await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh, stocked_quantity: 100 });
});
afterAll(async () => {
  fault = { kind: 'none' };
  restore();
  await api.close();
});

const adjustPath = () => `/admin/inventory-items/${iid}/location-levels/${wh}/adjust`;
const withKey = (key: string, method: string, path: string, body: unknown, apiKey?: string) =>
  api.request(method, path, body, { headers: { 'idempotency-key': key }, key: apiKey });
const stocked = async (item = iid, at = wh) =>
  (await api.get(`/admin/inventory-items/${item}`)).body.inventory_item.location_levels.find((l: { location_id: string }) => l.location_id === at)
    .stocked_quantity as number;
const receipts = async (item = iid) => (await ledgerRows(api.tenant, item)).filter((r) => r.reason === 'supplier_receipt').length;

function hangOn(match: (command: string, input: string) => boolean) {
  const { reached, hit, gate, open } = latch();
  fault = { kind: 'hang', match, reached, gate };
  return { hit, open: () => ((fault = { kind: 'none' }), open()) };
}

test('a response too large to store: the first call gets it, a retry (even after the claim lock) answers from the current state and applies nothing', async () => {
  // an item whose response is over 200 KB: 16 levels, each with 16 KB of metadata made of quotes
  const big = (await api.post('/admin/inventory-items', { sku: 'ONCE-BIG' })).body.inventory_item.id;
  const metadata = { q: '"'.repeat(8100) };
  let first = '';
  for (let i = 0; i < 16; i++) {
    const w = (await api.post('/api/warehouses', { name: `B${i}` })).body.data.id;
    first ||= w;
    expect((await api.post(`/admin/inventory-items/${big}/location-levels`, { location_id: w, stocked_quantity: 100, metadata })).status).toBe(200);
  }
  const path = `/admin/inventory-items/${big}/location-levels/${first}/adjust`;
  const body = { adjustment: 1, reason: 'supplier_receipt' };
  const once = await withKey('big-1', 'POST', path, body);
  expect(once.status).toBe(200);
  expect(once.text.length).toBeGreaterThan(205_000);
  expect(await expireClaim(api, 'big-1')).toBe('committed');
  const again = await withKey('big-1', 'POST', path, body);
  expect(again.status).toBe(200);
  expect(again.headers.get('idempotency-replayed')).toBe('true');
  expect(again.body.inventory_item.location_levels.find((l: { location_id: string }) => l.location_id === first).stocked_quantity).toBe(101);
  expect(await stocked(big, first)).toBe(101);
  expect(await receipts(big)).toBe(1);
});

test('an error after the commit (the read that builds the response is throttled): the retry replays with the original status and applies nothing', async () => {
  const before = await stocked();
  const ledgerBefore = await receipts();
  const body = { adjustment: 1, reason: 'supplier_receipt' };
  fault = { kind: 'fail-reads-after-commit', committed: false };
  const failed = await withKey('after-commit-1', 'POST', adjustPath(), body);
  fault = { kind: 'none' };
  expect(failed.status).toBeGreaterThanOrEqual(500);
  expect(await stocked()).toBe(before + 1);
  const retry = await withKey('after-commit-1', 'POST', adjustPath(), body);
  expect(retry.status).toBe(200);
  expect(retry.headers.get('idempotency-replayed')).toBe('true');
  expect(retry.body.inventory_item.location_levels[0].stocked_quantity).toBe(before + 1);
  expect(await stocked()).toBe(before + 1);
  expect(await receipts()).toBe(ledgerBefore + 1);
});

test('a crash between the commit and storing the response: an immediate retry answers at once, without running again', async () => {
  const before = await stocked();
  const body = { adjustment: 1, reason: 'supplier_receipt' };
  // the request dies where it would store its response
  const crash = hangOn((cmd, input) => cmd === 'UpdateItemCommand' && input.includes('#IDEM#') && input.includes('"completed"'));
  const dying = withKey('crash-1', 'POST', adjustPath(), body);
  await crash.hit;
  expect(await stocked()).toBe(before + 1);
  const started = Date.now();
  const retry = await withKey('crash-1', 'POST', adjustPath(), body);
  const waited = Date.now() - started;
  crash.open();
  await dying;
  expect(retry.status).toBe(200);
  expect(retry.headers.get('idempotency-replayed')).toBe('true');
  // at once: well under the claim lock (30 s) it would otherwise wait out, with room for a loaded machine
  expect(waited).toBeLessThan(10_000);
  expect(await stocked()).toBe(before + 1);
  // and later retries still change nothing
  expect((await withKey('crash-1', 'POST', adjustPath(), body)).status).toBe(200);
  expect(await stocked()).toBe(before + 1);
});

test('records are per API key: another key of the tenant with the same Idempotency-Key gets its own run, never the first key’s response', async () => {
  const other = await api.keyWith([...SCOPES], 'second');
  const limited = await makeKey(api.tenant, [...SCOPES], 'limited', [wh]);
  const before = await stocked();
  const body = { adjustment: 1, reason: 'supplier_receipt' };
  const a = await withKey('per-key-1', 'POST', adjustPath(), body);
  const b = await withKey('per-key-1', 'POST', adjustPath(), body, other);
  const c = await withKey('per-key-1', 'POST', adjustPath(), { adjustment: 2, reason: 'supplier_receipt' }, limited);
  for (const r of [a, b, c]) {
    expect(r.status).toBe(200);
    expect(r.headers.get('idempotency-replayed')).toBeNull();
  }
  expect(await stocked()).toBe(before + 4);
  // each key's own retry replays its own answer
  const bAgain = await withKey('per-key-1', 'POST', adjustPath(), body, other);
  expect(bAgain.headers.get('idempotency-replayed')).toBe('true');
  expect(bAgain.body).toEqual(b.body);
  expect(await stocked()).toBe(before + 4);
});

test('bodies compare canonically: the same body with its keys in another order replays', async () => {
  const first = await withKey('canon-1', 'POST', '/admin/reservations', {
    inventory_item_id: iid,
    location_id: wh,
    quantity: 1,
    metadata: { order: 'A-1', lines: [{ sku: 'x', n: 1 }] },
  });
  expect(first.status).toBe(200);
  const reordered = await api.request('POST', '/admin/reservations', undefined, {
    headers: { 'idempotency-key': 'canon-1', 'content-type': 'application/json' },
    raw: `{"metadata":{"lines":[{"n":1,"sku":"x"}],"order":"A-1"},"quantity":1,"location_id":"${wh}","inventory_item_id":"${iid}"}`,
  });
  expect(reordered.status).toBe(200);
  expect(reordered.headers.get('idempotency-replayed')).toBe('true');
  expect(reordered.body.reservation.id).toBe(first.body.reservation.id);
  // array order does matter
  const lines = await withKey('canon-1', 'POST', '/admin/reservations', {
    inventory_item_id: iid,
    location_id: wh,
    quantity: 1,
    metadata: { order: 'A-1', lines: [{ n: 1, sku: 'x' }, 2] },
  });
  expect(lines.status).toBe(422);
});

test('a different body after a 4xx, or after an expired claim, is still 422 IDEMPOTENCY_KEY_REUSED', async () => {
  const before = await stocked();
  const refused = await withKey('after-4xx-1', 'POST', adjustPath(), { adjustment: -1_000_000 });
  expect(refused.status).toBe(400);
  expect(refused.body.code).toBe('NEGATIVE_QUANTITY');
  // the same body runs afresh (it changed nothing), another body is refused
  expect((await withKey('after-4xx-1', 'POST', adjustPath(), { adjustment: -1_000_000 })).body.code).toBe('NEGATIVE_QUANTITY');
  const other = await withKey('after-4xx-1', 'POST', adjustPath(), { adjustment: 1 });
  expect(other.status).toBe(422);
  expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  expect(await stocked()).toBe(before);

  // a claim whose request hangs before committing, and whose lock has expired
  const stuck = hangOn((cmd) => cmd === 'TransactWriteItemsCommand');
  const hanging = withKey('expired-1', 'POST', adjustPath(), { adjustment: 1 });
  await stuck.hit;
  expect(await expireClaim(api, 'expired-1')).toBe('in_progress');
  fault = { kind: 'none' };
  const different = await withKey('expired-1', 'POST', adjustPath(), { adjustment: 2 });
  stuck.open();
  const dead = await hanging;
  expect(dead.status).toBeGreaterThanOrEqual(500);
  expect(different.status).toBe(422);
  expect(different.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  expect(await stocked()).toBe(before);
  // the hung request committed nothing and gave its key back: the same body now runs once
  expect((await withKey('expired-1', 'POST', adjustPath(), { adjustment: 1 })).status).toBe(200);
  expect((await withKey('expired-1', 'POST', adjustPath(), { adjustment: 1 })).headers.get('idempotency-replayed')).toBe('true');
  expect(await stocked()).toBe(before + 1);
});

test('a crash before storing, on a create whose id the server picks: the retry answers the created resource with the original status', async () => {
  const body = { productId: 'once-prod', warehouseId: wh, initialQty: 7, reorderLevel: 1 };
  const crash = hangOn((cmd, input) => cmd === 'UpdateItemCommand' && input.includes('#IDEM#') && input.includes('"completed"'));
  const dying = withKey('crash-create-1', 'POST', '/v1/inventory', body);
  await crash.hit;
  const retry = await withKey('crash-create-1', 'POST', '/v1/inventory', body);
  crash.open();
  const first = await dying;
  expect(first.status).toBe(200);
  expect(retry.status).toBe(first.status);
  expect(retry.headers.get('idempotency-replayed')).toBe('true');
  expect(retry.body.data).toMatchObject({ productId: 'once-prod', warehouseId: wh, onHandQty: 7 });
  expect(retry.body.data.id).toBe(first.body.data.id);
  const reservation = hangOn((cmd, input) => cmd === 'UpdateItemCommand' && input.includes('#IDEM#') && input.includes('"completed"'));
  const dyingRes = withKey('crash-create-2', 'POST', '/admin/reservations', {
    inventory_item_id: iid,
    location_id: wh,
    quantity: 1,
    line_item_id: 'crash-create-2',
  });
  await reservation.hit;
  const retryRes = await withKey('crash-create-2', 'POST', '/admin/reservations', {
    inventory_item_id: iid,
    location_id: wh,
    quantity: 1,
    line_item_id: 'crash-create-2',
  });
  reservation.open();
  const firstRes = await dyingRes;
  expect(retryRes.status).toBe(200);
  expect(retryRes.body.reservation.id).toBe(firstRes.body.reservation.id);
  expect((await api.get('/admin/reservations?line_item_id=crash-create-2')).body.reservations).toHaveLength(1);
});
