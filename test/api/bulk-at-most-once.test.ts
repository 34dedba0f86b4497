/**
 * POST /api/inventory/bulk with an Idempotency-Key takes effect at most once, like every keyed
 * request. Its rows are absolute sets committed in several transactions; when the response is
 * never stored (the process dies after the rows committed), a retry — even one after the claim
 * lock, when a shipment has moved the stock meanwhile — must not set the rows again (that undid the
 * shipment and booked a second bulk_import row). It answers from what the first run committed.
 *
 * The crash is staged by a client middleware that stops the chosen DynamoDB call (DynamoDB Local
 * itself is real).
 */
import { startApi } from '../support/api.ts';
import { expireClaim } from '../support/idempotency.ts';
import type { Api } from '../support/api.ts';
import { useClientWith } from '../support/client.ts';
import { ledgerRows } from '../support/ledger.ts';
import { latch } from '../support/latch.ts';

/** The command matching `match` waits for `gate` and then fails: a process that died right there. */
type Fault = { kind: 'none' } | { kind: 'hang'; match: (command: string, input: string) => boolean; reached: () => void; gate: Promise<void> };
let fault: Fault = { kind: 'none' };

let api: Api;
let wh: string;
beforeAll(async () => {
  api = await startApi();
  wh = (await api.post('/api/warehouses', { name: 'Bulk once' })).body.data.id;
});
afterAll(async () => {
  await api.close();
});

/** The store's client with the crash middleware, for one test (the others keep each function's own client, IAM checked). */
let restoreClient: (() => void) | undefined;
afterEach(() => {
  fault = { kind: 'none' };
  restoreClient?.();
  restoreClient = undefined;
});

function hangOn(match: (command: string, input: string) => boolean) {
  restoreClient ??= useClientWith('bulkAtMostOnce', (next, context) => async (args) => {
    const f = fault;
    if (f.kind === 'hang' && f.match(String(context.commandName), JSON.stringify(args.input))) {
      f.reached();
      await f.gate;
      throw Object.assign(new Error('the process died here'), { name: 'SimulatedCrash', $metadata: {} });
    }
    return next(args);
  });
  const { reached, hit, gate, open } = latch();
  fault = { kind: 'hang', match, reached, gate };
  return { hit, open: () => ((fault = { kind: 'none' }), open()) };
}

async function newItem(sku: string, stocked: number): Promise<string> {
  const iid = (await api.post('/admin/inventory-items', { sku })).body.inventory_item.id;
  expect((await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh, stocked_quantity: stocked })).status).toBe(200);
  return iid;
}
const stocked = async (iid: string) =>
  (await api.get(`/admin/inventory-items/${iid}`)).body.inventory_item.location_levels.find((l: { location_id: string }) => l.location_id === wh)
    .stocked_quantity as number;
const bulkImports = async (iid: string) => (await ledgerRows(api.tenant, iid)).filter((r) => r.reason === 'bulk_import').length;
const bulk = (idemKey: string, updates: unknown[]) => api.request('POST', '/api/inventory/bulk', { updates }, { headers: { 'idempotency-key': idemKey } });

test('a keyed bulk whose answer was never stored is not run again after the claim lock: a shipment in between stays, one bulk_import row', async () => {
  const iid = await newItem('BULK-ONCE-1', 10);
  const updates = [{ sku: 'BULK-ONCE-1', warehouse_id: wh, quantity: 50 }];
  // the request dies where it would store its response: its rows have committed
  const crash = hangOn((cmd, input) => cmd === 'UpdateItemCommand' && input.includes('#IDEM#') && input.includes('"completed"'));
  const dying = bulk('bulk-once-1', updates);
  await crash.hit;
  crash.open();
  await dying;
  expect(await stocked(iid)).toBe(50);

  // a shipment of 5, then the client's retry, after the claim lock
  expect((await api.post(`/admin/inventory-items/${iid}/location-levels/${wh}/adjust`, { adjustment: -5, reason: 'fulfillment' })).status).toBe(200);
  await expireClaim(api, 'bulk-once-1');
  const retry = await bulk('bulk-once-1', updates);
  expect(await stocked(iid)).toBe(45);
  expect(await bulkImports(iid)).toBe(1);
  expect(retry.status).toBe(200);
  expect(retry.headers.get('idempotency-replayed')).toBe('true');
  // the first run's answer: its row applied (once), nothing applied now
  expect(retry.body.data).toMatchObject({ applied: 1, unchanged: 0, failed: 0, results: [{ index: 0, sku: 'BULK-ONCE-1', status: 'applied' }] });
});

test('a keyed bulk that died between two of its transactions answers truthfully and never applies the rest on retry', async () => {
  const iid = await newItem('BULK-ONCE-2', 0);
  // 150 rows on one level, each a change: more than one transaction (a ledger row each)
  const updates = Array.from({ length: 150 }, (_, i) => ({ sku: 'BULK-ONCE-2', warehouse_id: wh, quantity: i + 1 }));
  let transactions = 0;
  const crash = hangOn((cmd) => cmd === 'TransactWriteItemsCommand' && ++transactions === 2);
  const dying = bulk('bulk-once-2', updates);
  await crash.hit;
  crash.open();
  const first = await dying;
  const applied = await bulkImports(iid);
  expect(applied).toBeGreaterThan(0);
  expect(applied).toBeLessThan(150);
  expect(await stocked(iid)).toBe(applied);

  for (const answer of [first, await (async () => (await expireClaim(api, 'bulk-once-2'), bulk('bulk-once-2', updates)))()]) {
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ applied, unchanged: 0, failed: 150 - applied });
    const results = answer.body.data.results as { index: number; status: string; error?: { code: string } }[];
    expect(results).toHaveLength(150);
    expect(results.slice(0, applied).every((r) => r.status === 'applied')).toBe(true);
    expect(results.slice(applied).every((r) => r.status === 'failed' && r.error?.code === 'NOT_APPLIED')).toBe(true);
    expect(answer.body.message).toMatch(/not applied/i);
  }
  expect(await stocked(iid)).toBe(applied);
  expect(await bulkImports(iid)).toBe(applied);
});

test('a keyed bulk answered as usual (each function its own client, IAM checked) replays its stored answer and applies nothing more', async () => {
  const iid = await newItem('BULK-ONCE-3', 1);
  const updates = [{ sku: 'BULK-ONCE-3', warehouse_id: wh, quantity: 7 }];
  const first = await bulk('bulk-once-3', updates);
  expect(first.status).toBe(200);
  expect(first.body.data).toMatchObject({ applied: 1 });
  expect((await api.post(`/admin/inventory-items/${iid}/location-levels/${wh}/adjust`, { adjustment: -2, reason: 'fulfillment' })).status).toBe(200);
  const again = await bulk('bulk-once-3', updates);
  expect(again.status).toBe(200);
  expect(again.headers.get('idempotency-replayed')).toBe('true');
  expect(again.body).toEqual(first.body);
  expect(await stocked(iid)).toBe(5);
  expect(await bulkImports(iid)).toBe(1);
});

test('500 failing rows with the longest skus and warehouse ids: an answer too large to keep, a record that fits one row, and a retry answers every row from it', async () => {
  const longWh = `wh_${'w'.repeat(125)}`;
  const updates = Array.from({ length: 500 }, (_, i) => ({ sku: `${String(i).padStart(3, '0')}${'S'.repeat(253)}`, warehouse_id: longWh, quantity: 1 }));
  const first = await bulk('bulk-once-4', updates);
  expect(first.status).toBe(200);
  // over the 200 KB an idempotency record keeps: the key stays `committed`, the retry answers from the progress row
  expect(first.text.length).toBeGreaterThan(205_000);
  expect(first.body.data).toMatchObject({ applied: 0, unchanged: 0, failed: 500 });
  await expireClaim(api, 'bulk-once-4');
  const retry = await bulk('bulk-once-4', updates);
  expect(retry.status).toBe(200);
  expect(retry.headers.get('idempotency-replayed')).toBe('true');
  expect(retry.body.message).toBeUndefined();
  expect(retry.body.data).toEqual(first.body.data);
});
