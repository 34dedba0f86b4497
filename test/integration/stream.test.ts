/** The stream consumer: one event per status change, the right flag, replay-safe, partial failures. */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { handler } from '../../functions/stream/handler.ts';
import { db, runAs, tableName } from '../../functions/store/db.ts';
import { flaggedLevels } from '../../functions/store/flags.ts';
import { keys } from '../../functions/store/keys.ts';
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';

const eventsFile = join(mkdtempSync(join(tmpdir(), 'inventory-events-')), 'events.ndjson');
process.env.INVENTORY_EVENTS_FILE = eventsFile;
const events = () =>
  existsSync(eventsFile)
    ? readFileSync(eventsFile, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
const eventsOf = (api: Api) => events().filter((e) => e.detail.tenant_id === api.tenant);

let api: Api;
let wh: string;
let iid: string;
beforeAll(async () => {
  api = await startApi({ stream: true });
  wh = (await api.post('/api/warehouses', { name: 'S' })).body.data.id;
  iid = (await api.post('/admin/inventory-items', { sku: 'STR-1', title: 'Stream item' })).body.inventory_item.id;
  await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh, stocked_quantity: 100, safety_stock: 5, reorder_level: 20 });
  await api.settle();
});
afterAll(() => api.close());

const set = (stocked_quantity: number) => api.post(`/admin/inventory-items/${iid}/location-levels/${wh}`, { stocked_quantity });
const flag = async () => (await flaggedLevels(api.tenant)).find((f) => f.level.inventory_item_id === iid)?.level.location_id === wh;
const flagStatus = async () =>
  (await db().send(new GetCommand({ TableName: tableName(), Key: keys.level(api.tenant, iid, wh), ConsistentRead: true }))).Item?.flag_status;
const flagTitle = async () =>
  (await db().send(new GetCommand({ TableName: tableName(), Key: keys.level(api.tenant, iid, wh), ConsistentRead: true }))).Item?.flag_title;

test('status changes in every direction produce exactly one event each and the right flag', async () => {
  const path: [number, string][] = [
    [15, 'low'],
    [8, 'critical'],
    [0, 'out_of_stock'],
    [50, 'normal'],
    [0, 'out_of_stock'],
    [9, 'critical'],
    [18, 'low'],
    [100, 'normal'],
  ];
  let prev = 'normal';
  for (const [stocked, status] of path) {
    const before = eventsOf(api).length;
    await set(stocked);
    await api.settle();
    // one change, one event id: the consumer publishes before it writes the flag, so a record retried
    // in between (its flag write refused or lost, a crash) is published again with the same id
    const fresh = eventsOf(api).slice(before);
    expect(new Set(fresh.map((e) => e.id)).size).toBe(1);
    expect([...new Set(fresh.map((e) => JSON.stringify([e.detail.from, e.detail.to, e.detail.available_quantity])))].map((j) => JSON.parse(j))).toEqual([
      [prev, status, stocked - 5],
    ]);
    expect(await flagStatus()).toBe(status);
    expect(await flag()).toBe(status !== 'normal');
    // a flagged level carries its item's title (the report reads nothing else); a cleared one does not
    expect(await flagTitle()).toBe(status === 'normal' ? undefined : 'Stream item');
    prev = status;
  }
  // a change within one status makes no event
  const before = eventsOf(api).length;
  await set(90);
  await api.settle();
  expect(eventsOf(api).length).toBe(before);
  for (const e of eventsOf(api)) {
    expect(e).toMatchObject({
      type: 'inventory.level.status_changed',
      id: expect.stringMatching(/^status-/),
      detail: { sku: 'STR-1', warehouse_id: wh, inventory_item_id: iid },
    });
  }
  // and every change its own id (a repeat of one carries the same change)
  expect(new Set(eventsOf(api).map((e) => e.id)).size).toBe(path.length);
});

/** The handler as deployed: with the stream consumer's own grants (the tests' DynamoDB front checks them). */
const consume = (event: { Records: DynamoDBRecord[] }) => runAs('StreamConsumer', () => handler(event, {} as any));

test('the stream consumer does its work with its own grants only (IAM through the DynamoDB front): it reads the items for their titles', async () => {
  const other = (await api.post('/admin/inventory-items', { sku: 'STR-IAM', title: 'Granted title' })).body.inventory_item.id;
  await api.post(`/admin/inventory-items/${other}/location-levels`, { location_id: wh, stocked_quantity: 100, safety_stock: 5, reorder_level: 20 });
  await api.settle();
  const res = await consume({ Records: [record('9'.repeat(38) + '20', 100, 3, other)] });
  // before its BatchGetItem grant this failed with AccessDeniedException and was retried into the DLQ
  expect(res).toEqual({ batchItemFailures: [] });
  const level = (await db().send(new GetCommand({ TableName: tableName(), Key: keys.level(api.tenant, other, wh), ConsistentRead: true }))).Item;
  expect(level).toMatchObject({ flag_status: 'critical', flag_title: 'Granted title' });
});

/** A stream record of this level going from `from` to `to` available quantity. */
function record(seq: string, from: number, to: number, item = iid): DynamoDBRecord {
  const base = {
    PK: keys.level(api.tenant, item, wh).PK,
    SK: `L#${wh}`,
    entity: 'level',
    inventory_item_id: item,
    location_id: wh,
    sku: 'STR-1',
    safety_stock: 5,
    reorder_level: 20,
  };
  return {
    eventID: `e-${seq}`,
    eventName: 'MODIFY',
    eventSource: 'aws:dynamodb',
    dynamodb: {
      SequenceNumber: seq,
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      OldImage: marshall({ ...base, available_quantity: from }) as any,
      NewImage: marshall({ ...base, available_quantity: to }) as any,
    },
  };
}

test('replaying a batch changes nothing and publishes nothing twice; a late record cannot overwrite a newer state', async () => {
  const batch = { Records: [record('9'.repeat(38) + '01', 100, 10)] };
  const before = eventsOf(api).length;
  expect(await consume(batch)).toEqual({ batchItemFailures: [] });
  expect(eventsOf(api).length).toBe(before + 1);
  expect(await flagStatus()).toBe('low');
  expect(await consume(batch)).toEqual({ batchItemFailures: [] });
  expect(eventsOf(api).length).toBe(before + 1);
  // an older record arriving late is skipped
  await consume({ Records: [record('9'.repeat(38) + '00', 10, 100)] });
  expect(await flagStatus()).toBe('low');
  expect(eventsOf(api).length).toBe(before + 1);
});

test('a failing record is reported as a batch item failure; the others are applied', async () => {
  const good = record('9'.repeat(38) + '10', 10, 0);
  // a key longer than DynamoDB allows: its reads and writes fail
  const bad = record('9'.repeat(38) + '11', 100, 0, 'x'.repeat(3000));
  const res = await consume({ Records: [good, bad] });
  expect(res).toEqual({ batchItemFailures: [{ itemIdentifier: bad.dynamodb!.SequenceNumber }] });
  expect(await flagStatus()).toBe('out_of_stock');
});

test('the stream consumer finishes the copies on levels with its own grants: a read-only toggle and a policy change whose request died before its fan-out', async () => {
  const w = (await api.post('/api/warehouses', { name: 'Crashed toggle' })).body.data.id as string;
  const item = (await api.post('/admin/inventory-items', { sku: 'STR-COPY', allow_backorder: true })).body.inventory_item.id as string;
  await api.post(`/admin/inventory-items/${item}/location-levels`, { location_id: w, stocked_quantity: 0 });
  await api.settle();
  const copy = async () => (await db().send(new GetCommand({ TableName: tableName(), Key: keys.level(api.tenant, item, w), ConsistentRead: true }))).Item!;
  expect(await copy()).toMatchObject({ wh_readonly: false, wh_ro_seq: 1, policy_version: 1, policy_allow_backorder: true });
  // the writes the requests make first, without the fan-outs that follow them (as if they died in between)
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.warehouse(api.tenant, w),
      UpdateExpression: 'SET is_readonly = :t ADD ro_seq :one',
      ExpressionAttributeValues: { ':t': true, ':one': 1 },
    }),
  );
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.item(api.tenant, item),
      UpdateExpression: 'SET allow_backorder = :f ADD policy_version :one',
      ExpressionAttributeValues: { ':f': false, ':one': 1 },
    }),
  );
  await api.settle();
  expect(await copy()).toMatchObject({ wh_readonly: true, wh_ro_seq: 2, policy_version: 2, policy_allow_backorder: false });
  const write = await api.request('PUT', '/api/inventory/STR-COPY', { warehouse_id: w, quantity: 5 });
  expect(write.body.error?.code ?? write.body.code).toBe('READONLY_WAREHOUSE');
  const reserve = await api.post('/admin/reservations', { inventory_item_id: item, location_id: w, quantity: 1 });
  expect(reserve.body.code).toBe('INSUFFICIENT_STOCK');
});
