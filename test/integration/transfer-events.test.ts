/**
 * A transfer's step events (issue 25) come from the stream: the consumer publishes
 * `inventory.transfer.<step>` from the transfer record's change, with the id `transfer-<id>-<version>`,
 * so a step that committed has its event however its request ended, and a replayed record publishes
 * the same id.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { handler } from '../../functions/stream/handler.ts';
import { db, runAs, tableName } from '../../functions/store/db.ts';
import { keys } from '../../functions/store/keys.ts';
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';
import { useClientWith } from '../support/client.ts';
import { str } from '../support/stage.ts';

const dir = mkdtempSync(join(tmpdir(), 'transfer-events-'));
const eventsFile = join(dir, 'events.ndjson');
process.env.INVENTORY_EVENTS_FILE = eventsFile;
const events = () =>
  existsSync(eventsFile)
    ? readFileSync(eventsFile, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
const eventsOf = (id: string) => events().filter((e) => e.detail.transfer_id === id);

let api: Api;
let a: string;
let b: string;
beforeAll(async () => {
  api = await startApi({ stream: true });
  a = (await api.post('/api/warehouses', { name: 'EA' })).body.data.id;
  b = (await api.post('/api/warehouses', { name: 'EB' })).body.data.id;
  for (const sku of ['EV-1', 'EV-2']) {
    expect((await api.post('/admin/inventory-items', { sku, title: sku })).status).toBe(200);
    expect((await api.request('PUT', `/api/inventory/${sku}`, { warehouse_id: a, quantity: 50 })).status).toBe(200);
  }
  await api.settle();
});
afterAll(() => api.close());

const draft = async (lines: { sku: string; quantity: number }[]) => {
  const res = await api.post('/api/transfers', { from_warehouse_id: a, to_warehouse_id: b, lines, reference: 'EV' });
  expect(res.status).toBe(201);
  return res.body.data.id as string;
};
const step = (id: string, what: string, body?: unknown) => api.request('POST', `/api/transfers/${id}/${what}`, body);
const onHand = async (sku: string, wid: string) =>
  (await api.get(`/api/inventory/${sku}`)).body.data.warehouses.find((w: { warehouse_id: string }) => w.warehouse_id === wid);

test('every step publishes one event from the stream: its type, id transfer-<id>-<version>, both warehouses, the lines and who did it', async () => {
  const id = await draft([
    { sku: 'EV-1', quantity: 5 },
    { sku: 'EV-2', quantity: 2 },
  ]);
  expect((await step(id, 'ship')).status).toBe(200);
  expect((await step(id, 'receive', { lines: [{ sku: 'EV-1', accepted: 4, rejected: 1 }] })).status).toBe(200);
  expect((await step(id, 'receive', { lines: [{ sku: 'EV-2', accepted: 2 }] })).status).toBe(200);
  expect((await step(id, 'close')).status).toBe(200);
  await api.settle();
  // at least once, deduplicated by id (docs/design.md): a stream record handed over again (its
  // batch retried) publishes its event again with the same id, and the same body
  const all = eventsOf(id);
  const published = all.filter((e, i) => all.findIndex((f) => f.id === e.id) === i);
  for (const e of all) expect(e).toEqual(published.find((f) => f.id === e.id));
  expect(published.map((e) => [e.id, e.type])).toEqual([
    [`transfer-${id}-1`, 'inventory.transfer.created'],
    [`transfer-${id}-2`, 'inventory.transfer.shipped'],
    [`transfer-${id}-3`, 'inventory.transfer.received'],
    [`transfer-${id}-4`, 'inventory.transfer.received'],
    [`transfer-${id}-5`, 'inventory.transfer.closed'],
  ]);
  for (const e of published)
    expect(e.detail).toMatchObject({ tenant_id: api.tenant, transfer_id: id, from_warehouse_id: a, to_warehouse_id: b, reference: 'EV', by: 'test' });
  // each event shows the transfer as its own step left it (not as a later read finds it)
  expect(published.map((e) => e.detail.status)).toEqual(['draft', 'in_transit', 'partially_received', 'received', 'closed']);
  expect(published[2].detail.lines).toEqual([
    { sku: 'EV-1', quantity: 5, shipped: 5, received: 4, rejected: 1 },
    { sku: 'EV-2', quantity: 2, shipped: 2, received: 0, rejected: 0 },
  ]);
  expect(published[2].detail.step_lines).toEqual([{ sku: 'EV-1', accepted: 4, rejected: 1, rejected_to: 'damaged' }]);
});

test('a step whose request dies right after its transaction committed still has its event, once (nothing is published by the request)', async () => {
  const id = await draft([{ sku: 'EV-1', quantity: 3 }]);
  const before = await onHand('EV-1', a);
  // staged: the ship's transaction commits, then its request fails before it can answer (or publish)
  let crashed = 0;
  const restore = useClientWith('crash-after-commit', (next, context) => async (args) => {
    const out = await next(args);
    const input = args.input as { TransactItems?: { Update?: { Key?: { SK?: unknown; PK?: unknown } } }[] };
    const ours = input.TransactItems?.some((t) => String(str(t.Update?.Key?.PK)).endsWith(`#X#${id}`));
    if (context.commandName === 'TransactWriteItemsCommand' && ours && !crashed++) throw Object.assign(new Error('the process died'), { name: 'Crash' });
    return out;
  });
  try {
    const res = await step(id, 'ship');
    expect(res.status).toBeGreaterThanOrEqual(500);
  } finally {
    restore();
  }
  expect(crashed).toBe(1);
  expect((await onHand('EV-1', a)).on_hand).toBe(before.on_hand - 3);
  expect((await onHand('EV-1', b)).in_transit).toBe(3);
  expect((await step(id, 'cancel')).status).toBe(200);
  await api.settle();
  expect(eventsOf(id).map((e) => [e.id, e.type])).toEqual([
    [`transfer-${id}-1`, 'inventory.transfer.created'],
    [`transfer-${id}-2`, 'inventory.transfer.shipped'],
    [`transfer-${id}-3`, 'inventory.transfer.cancelled'],
  ]);
  expect(eventsOf(id)[2].detail.step_lines).toEqual([{ sku: 'EV-1', returned: 3 }]);
});

/** The stream consumer as deployed: with its own grants (the tests' DynamoDB front checks them). */
const consume = (event: { Records: DynamoDBRecord[] }) => runAs('StreamConsumer', () => handler(event, {} as any));
const row = async (id: string) => (await db().send(new GetCommand({ TableName: tableName(), Key: keys.transfer(api.tenant, id), ConsistentRead: true }))).Item!;
/** A MODIFY record of the transfer's row, from `old` to `next`. */
const record = (seq: string, old: Record<string, unknown>, next: Record<string, unknown>): DynamoDBRecord => ({
  eventID: `t-${seq}`,
  eventName: 'MODIFY',
  eventSource: 'aws:dynamodb',
  dynamodb: {
    SequenceNumber: seq,
    Keys: marshall({ PK: next.PK, SK: next.SK }) as never,
    OldImage: marshall(old, { removeUndefinedValues: true }) as never,
    NewImage: marshall(next, { removeUndefinedValues: true }) as never,
  },
});

test('a replayed stream record publishes the same id again (a consumer drops it); a change that moves no version publishes nothing; a failed publish is handed over again', async () => {
  const id = await draft([{ sku: 'EV-2', quantity: 1 }]);
  expect((await step(id, 'ship')).status).toBe(200);
  await api.settle();
  const shipped = eventsOf(id).find((e) => e.type === 'inventory.transfer.shipped');
  expect(shipped.id).toBe(`transfer-${id}-2`);
  const now = await row(id);
  const was = { ...now, version: 1, status: 'draft', steps: now.steps.slice(0, 1) };
  const replay = record('8'.repeat(38) + '01', was, now);
  const count = eventsOf(id).length;
  expect(await consume({ Records: [replay] })).toEqual({ batchItemFailures: [] });
  expect(await consume({ Records: [replay] })).toEqual({ batchItemFailures: [] });
  const again = eventsOf(id).slice(count);
  expect(again.map((e) => e.id)).toEqual([shipped.id, shipped.id]);
  expect(again).toEqual([shipped, shipped]);
  // the same version (a change of no step): nothing
  const quiet = record('8'.repeat(38) + '02', { ...now, note: 'x' }, now);
  expect(await consume({ Records: [quiet] })).toEqual({ batchItemFailures: [] });
  expect(eventsOf(id).length).toBe(count + 2);
  // the publish fails (the sink cannot be written): the record fails, so the stream hands it over again
  process.env.INVENTORY_EVENTS_FILE = join(dir, 'not-a-file');
  mkdirSync(process.env.INVENTORY_EVENTS_FILE, { recursive: true });
  try {
    expect(await consume({ Records: [replay, quiet] })).toEqual({ batchItemFailures: [{ itemIdentifier: replay.dynamodb!.SequenceNumber }] });
    await expect(consume({ Records: [replay] })).rejects.toThrow(/All records failed/);
  } finally {
    process.env.INVENTORY_EVENTS_FILE = eventsFile;
  }
  expect(eventsOf(id).length).toBe(count + 2);
  expect(await consume({ Records: [replay] })).toEqual({ batchItemFailures: [] });
  expect(
    eventsOf(id)
      .slice(count + 2)
      .map((e) => e.id),
  ).toEqual([shipped.id]);
});
