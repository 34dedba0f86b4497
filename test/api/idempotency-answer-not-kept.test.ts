/**
 * A keyed write commits, then storing its answer on the Idempotency-Key's record fails (a throttle or
 * a timeout past the SDK's retries). The first caller still gets its answer; a retry with the same key
 * must answer the same resource, not a bare "applied once" (found by the schedule explorer on a hold
 * release: `plain:level-count+hold-release#k`, first answer the hold, replay no ids at all).
 *
 * - a failure that passes: the store tries again (store/idempotency.ts `complete`), the retry replays
 *   the stored answer byte for byte;
 * - a failure that lasts: the record stays `committed` and the retry answers from the route's replay,
 *   the hold as it is now, with the first answer's status and ids; nothing runs twice.
 */
import { COMPLETE_ATTEMPTS } from '../../functions/store/idempotency.ts';
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';
import { useClientWith } from '../support/client.ts';
import { str } from '../support/stage.ts';
import type { Input } from '../support/stage.ts';

let api: Api;
/** How many of the next answer stores fail (Infinity: all of them), and how many were tried. */
let failing = 0;
let tried = 0;
let restore = () => {};
beforeAll(async () => {
  api = await startApi();
  restore = useClientWith('failAnswerStore', (next, context) => async (args) => {
    const input = args.input as Input & { UpdateExpression?: string };
    const storesAnswer =
      context.commandName === 'UpdateItemCommand' && str(input.Key?.SK) === 'IDEM' && /response_body|#state = :committed/.test(input.UpdateExpression ?? '');
    if (storesAnswer && failing > 0) {
      failing--;
      tried++;
      throw Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ThrottlingException', $metadata: {} });
    }
    if (storesAnswer) tried++;
    return next(args);
  });
});
afterAll(async () => {
  restore();
  await api.close();
});
beforeEach(() => {
  failing = 0;
  tried = 0;
});

let n = 0;
const uniq = (p: string) => `${p}-${Date.now().toString(36)}-${n++}`;
async function stockedSku(quantity: number) {
  const wh = (await api.post('/api/warehouses', { name: uniq('W') })).body.data.id as string;
  const sku = uniq('NK');
  expect((await api.post('/admin/inventory-items', { sku })).status).toBe(200);
  expect((await api.request('PUT', `/api/inventory/${sku}`, { warehouse_id: wh, quantity })).status).toBe(200);
  return { sku, wh };
}
const keyed = (method: string, path: string, body: unknown, key: string) => api.request(method, path, body, { headers: { 'idempotency-key': key } });
const available = async (sku: string) => (await api.get(`/api/inventory/${sku}`)).body.data.total_available as number;

test('a store of the answer that fails once is tried again: the retry replays the very answer', async () => {
  const { sku } = await stockedSku(10);
  const key = uniq('hold');
  const body = { reference: uniq('order'), lines: [{ sku, quantity: 3 }] };
  failing = 1;
  const first = await keyed('POST', '/api/holds', body, key);
  expect(first.status).toBe(201);
  expect(tried).toBe(2);
  const again = await keyed('POST', '/api/holds', body, key);
  expect(again.status).toBe(201);
  expect(again.headers.get('idempotency-replayed')).toBe('true');
  expect(again.text).toBe(first.text);
  expect(await available(sku)).toBe(7);
});

test('an answer that cannot be stored at all: every keyed hold write replays the hold as it is now, and runs once', async () => {
  const { sku } = await stockedSku(10);
  const reference = uniq('order');
  const create = { reference, lines: [{ sku, quantity: 4 }] };
  const key = uniq('k');

  failing = Infinity;
  const first = await keyed('POST', '/api/holds', create, `${key}-create`);
  expect(first.status).toBe(201);
  expect(tried).toBe(COMPLETE_ATTEMPTS);
  const hid = first.body.data.id as string;
  const created = await keyed('POST', '/api/holds', create, `${key}-create`);
  expect(created.status).toBe(201);
  expect(created.headers.get('idempotency-replayed')).toBe('true');
  expect(created.body.data).toEqual(first.body.data);
  expect(await available(sku)).toBe(6);

  const extended = await keyed('POST', `/api/holds/${hid}/extend`, { expires_in_seconds: 600 }, `${key}-extend`);
  expect(extended.status).toBe(200);
  const extendedAgain = await keyed('POST', `/api/holds/${hid}/extend`, { expires_in_seconds: 600 }, `${key}-extend`);
  expect([extendedAgain.status, extendedAgain.headers.get('idempotency-replayed')]).toEqual([200, 'true']);
  expect(extendedAgain.body.data).toEqual(extended.body.data);

  const fulfilled = await keyed('POST', `/api/holds/${hid}/fulfill`, { lines: [{ index: 0, quantity: 1 }] }, `${key}-fulfil`);
  expect(fulfilled.status).toBe(200);
  const fulfilledAgain = await keyed('POST', `/api/holds/${hid}/fulfill`, { lines: [{ index: 0, quantity: 1 }] }, `${key}-fulfil`);
  expect([fulfilledAgain.status, fulfilledAgain.headers.get('idempotency-replayed')]).toEqual([200, 'true']);
  expect(fulfilledAgain.body.data).toEqual(fulfilled.body.data);
  // fulfilled once: 1 unit left the shelf, 3 still held
  expect((await api.get(`/api/inventory/${sku}`)).body.data).toMatchObject({ total_on_hand: 9, total_available: 6 });

  const released = await keyed('DELETE', `/api/holds/${hid}`, undefined, `${key}-release`);
  expect(released.status).toBe(200);
  expect(released.body.data.status).toBe('released');
  const releasedAgain = await keyed('DELETE', `/api/holds/${hid}`, undefined, `${key}-release`);
  expect([releasedAgain.status, releasedAgain.headers.get('idempotency-replayed')]).toEqual([200, 'true']);
  expect(releasedAgain.body.data).toEqual(released.body.data);
  expect(await available(sku)).toBe(9);
});
