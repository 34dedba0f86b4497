/**
 * Issue 11, fault injection: the service talks to DynamoDB Local through a TCP proxy that refuses
 * connections, delays responses and resets connections after DynamoDB answered (the write
 * happened, the caller cannot know). Callers retry every write with the same Idempotency-Key until
 * they get an answer that is not a 5xx (or "in progress"). At the end every logical operation took
 * effect exactly once and every level's invariant holds.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { setClient } from '../../functions/store/db.ts';
import { startApi } from '../support/api.ts';
import type { Api, Response } from '../support/api.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import type { FaultProxy } from '../support/fault-proxy.ts';
import { ledgerRows } from '../support/ledger.ts';

let api: Api;
let proxy: FaultProxy;
const lockBefore = process.env.INVENTORY_IDEMPOTENCY_LOCK_SECONDS;
beforeAll(async () => {
  // a claim left by a request whose own claim write lost its answer is taken over after 2 s
  process.env.INVENTORY_IDEMPOTENCY_LOCK_SECONDS = '2';
  api = await startApi();
  proxy = await startFaultProxy(new URL(process.env.DYNAMODB_ENDPOINT!), { refuse: 0, reset: 0, delay: 0 });
});
afterAll(async () => {
  if (lockBefore === undefined) delete process.env.INVENTORY_IDEMPOTENCY_LOCK_SECONDS;
  else process.env.INVENTORY_IDEMPOTENCY_LOCK_SECONDS = lockBefore;
  await api.close();
  await proxy.close();
});

interface Op {
  key: string;
  method: string;
  path: string;
  body: Record<string, unknown>;
  kind: 'reserve' | 'adjust' | 'set';
  item: string;
  delta: number;
  result?: Response;
}

const figures = { requests: 0, retries: 0, serverErrors: 0, inProgress: 0, slowest: 0 };

/** Send until the answer is neither a 5xx nor "in progress", always with the same Idempotency-Key. */
async function send(op: Op): Promise<Response> {
  for (let attempt = 0; attempt < 200; attempt++) {
    figures.requests++;
    const t0 = Date.now();
    const res = await api.request(op.method, op.path, op.body, { headers: { 'idempotency-key': op.key } });
    figures.slowest = Math.max(figures.slowest, Date.now() - t0);
    if (process.env.FAULT_DEBUG && Date.now() - t0 > 1000) console.log(op.key, res.status, Date.now() - t0);
    // 409 CONFLICT naming the Idempotency-Key: the first request with this key is still running (or died holding it)
    const inProgress = res.status === 409 && /Idempotency-Key/.test(res.text);
    if (res.status < 500 && !inProgress) return res;
    figures.retries++;
    if (inProgress) figures.inProgress++;
    else figures.serverErrors++;
    await new Promise((r) => setTimeout(r, inProgress ? 250 : 10 + Math.random() * 40));
  }
  throw new Error(`no answer for ${op.key}`);
}

test('through refused, delayed and reset connections, retried writes take effect exactly once', async () => {
  const started = Date.now();
  const wh = (await api.post('/api/warehouses', { name: 'Faulty' })).body.data.id;
  const items: Record<string, { id: string; sku: string; start: number }> = {};
  for (const [name, start] of [
    ['A', 1000],
    ['B', 1000],
    ['C', 100],
    ['D', 100],
  ] as const) {
    const sku = `FAULT-${name}`;
    const id = (await api.post('/admin/inventory-items', { sku })).body.inventory_item.id;
    expect((await api.post(`/admin/inventory-items/${id}/location-levels`, { location_id: wh, stocked_quantity: start })).status).toBe(200);
    items[name] = { id, sku, start };
  }

  // the logical operations: reservations (distinct line items) and adjustments on A and B, run
  // concurrently; compare-and-set chains on C and D (each set expects the previous value)
  const pool: Op[] = [];
  for (let i = 0; i < 36; i++) {
    const it = items[i % 2 ? 'A' : 'B'];
    const quantity = 1 + (i % 3);
    pool.push({
      key: `res-${i}`,
      kind: 'reserve',
      item: it.id,
      delta: quantity,
      method: 'POST',
      path: '/admin/reservations',
      body: { inventory_item_id: it.id, location_id: wh, quantity, line_item_id: `line-${i}` },
    });
    const delta = (i % 4 < 2 ? 1 : -1) * (1 + (i % 5));
    pool.push({
      key: `adj-${i}`,
      kind: 'adjust',
      item: it.id,
      delta,
      method: 'POST',
      path: `/admin/inventory-items/${it.id}/location-levels/${wh}/adjust`,
      body: { adjustment: delta, reason: 'supplier_receipt' },
    });
  }
  pool.sort(() => Math.random() - 0.5);
  const chains = (['C', 'D'] as const).map((name) => {
    const it = items[name];
    let prev = it.start;
    return Array.from({ length: 8 }, (_, i): Op => {
      const quantity = prev + 3 + i;
      const op: Op = {
        key: `set-${name}-${i}`,
        kind: 'set',
        item: it.id,
        delta: quantity - prev,
        method: 'PUT',
        path: `/api/inventory/${it.sku}`,
        body: { warehouse_id: wh, quantity, expected_quantity: prev, reason: 'cycle_count' },
      };
      prev = quantity;
      return op;
    });
  });

  // from here on the service reaches DynamoDB only through the proxy, with faults; one attempt per SDK
  // call, so a fault reaches the service (and, as a 5xx, the client's retry with its key) instead of
  // being absorbed by the SDK's own retry: with 2 attempts a CI run once saw 0 client retries
  setClient(
    DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: proxy.url, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 }),
      { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } },
    ),
  );
  Object.assign(proxy.rates, { refuse: 0.05, reset: 0.08, delay: 0.15 });
  let next = 0;
  const worker = async () => {
    while (next < pool.length) {
      const op = pool[next++];
      op.result = await send(op);
    }
  };
  await Promise.all([
    ...Array.from({ length: 8 }, worker),
    ...chains.map(async (chain) => {
      for (const op of chain) op.result = await send(op);
    }),
  ]);
  Object.assign(proxy.rates, { refuse: 0, reset: 0, delay: 0 });

  // every operation was answered 2xx in the end (none of them can legitimately be refused)
  const all = [...pool, ...chains.flat()];
  const refused = all.filter((op) => !(op.result!.status >= 200 && op.result!.status < 300));
  expect(refused.map((op) => `${op.key}: ${op.result!.status} ${op.result!.text.slice(0, 200)}`)).toEqual([]);

  let lost = 0;
  let doubled = 0;
  const count = (actual: number, expected: number) => {
    if (actual > expected) doubled += actual - expected;
    if (actual < expected) lost += expected - actual;
  };
  // one reservation per line item
  const reservations = (await api.get(`/admin/reservations?location_id=${wh}&limit=1000`)).body.reservations as { line_item_id: string; quantity: number }[];
  for (const op of pool.filter((o) => o.kind === 'reserve')) {
    count(reservations.filter((r) => r.line_item_id === op.body.line_item_id).length, 1);
  }
  for (const it of Object.values(items)) {
    const level = (await api.get(`/admin/inventory-items/${it.id}`)).body.inventory_item.location_levels[0];
    const mine = all.filter((o) => o.item === it.id);
    const changes = mine.filter((o) => o.kind !== 'reserve');
    // ledger rows = logical changes (plus the initial stocking row)
    const ledger = (await ledgerRows(api.tenant, it.id)).filter((r) => r.reason !== 'initial');
    count(ledger.length, changes.length);
    // stocked = start + Σ acknowledged deltas; reserved = Σ acknowledged reservations
    expect(level.stocked_quantity).toBe(it.start + changes.reduce((a, o) => a + o.delta, 0));
    expect(level.reserved_quantity).toBe(mine.filter((o) => o.kind === 'reserve').reduce((a, o) => a + o.delta, 0));
    expect(level.available_quantity).toBe(level.stocked_quantity - level.reserved_quantity - level.safety_stock);
  }
  const faults = proxy.counts.refused + proxy.counts.resets + proxy.counts.delays;
  console.log(
    `fault injection: ${all.length} logical writes, ${figures.requests} requests; faults injected ${faults} ` +
      `(${proxy.counts.refused} refused connections, ${proxy.counts.resets} resets after the request reached DynamoDB, ${proxy.counts.delays} delayed responses); ` +
      `client retries ${figures.retries} (${figures.serverErrors} after a 5xx, ${figures.inProgress} while in progress); ` +
      `effects lost ${lost}, effects doubled ${doubled}; slowest request ${figures.slowest} ms; ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  expect(proxy.counts.resets).toBeGreaterThan(0);
  expect(figures.retries).toBeGreaterThan(0);
  expect(lost).toBe(0);
  expect(doubled).toBe(0);
}, 120_000);
