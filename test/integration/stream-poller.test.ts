/**
 * The local stream runner hands batches over as the deployed mapping does (lib/stream-source.ts and
 * AWS's documented semantics, lib/local/stream-poller.ts): bisect on a function error, retry from
 * the checkpoint on a partial answer, dead-letter after the retries or past the maximum record age,
 * and `stream redrive` hands the dead letters over again. Real DynamoDB Local and its stream; only
 * the handler is wrapped (to throw on a chosen record, or to count what it was given).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GetCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { createItem } from '../../functions/core/items.ts';
import { createLevel, setLevel } from '../../functions/core/levels.ts';
import { createWarehouse } from '../../functions/core/locations.ts';
import type { Actor } from '../../functions/core/model.ts';
import { db, tableName } from '../../functions/store/db.ts';
import { keys } from '../../functions/store/keys.ts';
import { handler as streamHandler } from '../../functions/stream/handler.ts';
import { localClient } from '../../lib/local/table.ts';
import { startStreamPoller } from '../../lib/local/stream-poller.ts';
import type { PollerOptions, StreamPoller } from '../../lib/local/stream-poller.ts';
import { readDeadLetters, redriveDeadLetters } from '../../lib/local/stream-dead-letters.ts';
import { STREAM_SOURCE } from '../../lib/stream-source.ts';
import { newTenant } from '../support/api.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const endpoint = process.env.DYNAMODB_LOCAL_ENDPOINT!;
const table = process.env.TABLE_NAME!;
const seq = (r: DynamoDBRecord) => r.dynamodb!.SequenceNumber!;
const pk = (r: DynamoDBRecord) => r.dynamodb!.Keys!.PK!.S!;

/** Rows of a prefix of their own, written one after another (their stream order is their number). */
function rows() {
  const prefix = `T#poller-${randomUUID().slice(0, 8)}#`;
  const mine = (r: DynamoDBRecord) => !!r.dynamodb?.Keys?.PK?.S?.startsWith(prefix);
  const write = async (n: number, from = 0) => {
    const c = DynamoDBDocumentClient.from(localClient(endpoint));
    for (let i = from; i < from + n; i++) await c.send(new PutCommand({ TableName: table, Item: { PK: `${prefix}${i}`, SK: 'ITEM' } }));
    c.destroy();
  };
  const names = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `${prefix}${from + i}`);
  return { mine, write, names };
}

/**
 * The CLI in its own process, asynchronously: the run's DynamoDB front, which it calls, answers from
 * this process (a spawnSync would leave it unanswered).
 */
function cliRun(events: string, ...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'bin/cli.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, INVENTORY_EVENTS_FILE: events },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, out, err });
    });
  });
}

const made: string[] = [];
const deadLetterPath = () => made[made.push(join(tmpdir(), `inventory-dead-letters-${randomUUID()}.ndjson`)) - 1]!;

let pollers: StreamPoller[] = [];
afterEach(async () => {
  await Promise.all(pollers.map((p) => p.stop()));
  pollers = [];
  for (const f of made.splice(0)) rmSync(f, { force: true });
});
/** A runner from now on (LATEST) that polls only when the test drains it. */
async function poller(opts: Pick<PollerOptions, 'handler'> & Partial<PollerOptions>) {
  const p = await startStreamPoller({
    endpoint,
    tableName: table,
    from: 'LATEST',
    intervalMs: 60_000,
    functionName: 'admin',
    deadLetters: deadLetterPath(),
    ...opts,
  });
  pollers.push(p);
  return p;
}

test('a handler that throws once loses nothing: the batch is split and handed over again from its first record (the iterator not advanced); no batch is over the mapping size', async () => {
  const { mine, write, names } = rows();
  const batches: DynamoDBRecord[][] = [];
  const answered: string[] = [];
  let thrown: DynamoDBRecord[] | undefined;
  const deadLetters = deadLetterPath();
  const p = await poller({
    deadLetters,
    handler: async (event) => {
      batches.push(event.Records);
      const ours = event.Records.filter(mine);
      if (ours.length && !thrown) {
        thrown = event.Records;
        throw new Error('handler failed');
      }
      answered.push(...ours.map(pk));
      return { batchItemFailures: [] };
    },
  });
  await write(250);
  await p.drain(); // the throw is the mapping's business: split and handed over again, not a failed drain
  expect(thrown).toBeDefined();
  for (const b of batches) expect(b.length).toBeLessThanOrEqual(STREAM_SOURCE.batchSize);
  // the next batch starts where the failed one did: its first half (bisectBatchOnError)
  const next = batches[batches.indexOf(thrown!) + 1]!;
  expect(seq(next[0]!)).toBe(seq(thrown![0]!));
  expect(next.length).toBe(STREAM_SOURCE.bisectBatchOnError && thrown!.length > 1 ? Math.ceil(thrown!.length / 2) : thrown!.length);
  // every record answered exactly once, in the order written: none lost, none newer handed over first
  expect(answered).toEqual(names(250));
  expect(readDeadLetters(deadLetters)).toEqual([]);
}, 120_000);

test('a record the handler reports failed is handed over again with the ones after it in its batch (the checkpoint), not the ones before it', async () => {
  const { mine, write, names } = rows();
  const handed = new Map<string, number>();
  const batches: string[][] = [];
  const target = names(1, 7)[0]!;
  let reported = false;
  const p = await poller({
    handler: async (event) => {
      const ours = event.Records.filter(mine);
      if (ours.length) batches.push(ours.map(pk));
      for (const r of ours) handed.set(pk(r), (handed.get(pk(r)) ?? 0) + 1);
      const bad = ours.find((r) => pk(r) === target);
      if (bad && !reported) {
        reported = true;
        return { batchItemFailures: [{ itemIdentifier: seq(bad) }] };
      }
      return { batchItemFailures: [] };
    },
  });
  await write(20);
  await p.drain();
  const failedIn = batches.findIndex((b) => b.includes(target));
  const again = batches[failedIn + 1]!;
  // the batch handed over again is the failed batch's records from the target on, no newer ones
  expect(again).toEqual(batches[failedIn]!.slice(batches[failedIn]!.indexOf(target)));
  for (const name of names(20)) expect([name, handed.get(name)]).toEqual([name, again.includes(name) ? 2 : 1]);
}, 120_000);

test('a poison record is bisected out of its batch and dead-lettered after the retries; every other record of the batch is applied; stream redrive applies it later', async () => {
  const a: Actor = { tenant: newTenant(), keyId: 'k', keyName: 'poison', scopes: ['inventory:write', 'reservations:write'] };
  const wid = (await createWarehouse(a, { name: 'Poison' })).id;
  const items: string[] = [];
  for (let i = 0; i < 6; i++) {
    const iid = (await createItem(a, { sku: `POISON-${i}-${randomUUID().slice(0, 6)}`, title: `Poison ${i}` })).id;
    await createLevel(a, iid, { location_id: wid, stocked_quantity: 100, reorder_level: 20 });
    items.push(iid);
  }
  const poison = items[3]!;
  const poisonKey = keys.level(a.tenant, poison, wid);
  const ours = (r: DynamoDBRecord) => String(r.dynamodb?.Keys?.PK?.S ?? '').startsWith(`T#${a.tenant}#`);
  const isPoison = (r: DynamoDBRecord) => r.dynamodb?.Keys?.PK?.S === poisonKey.PK && r.dynamodb?.Keys?.SK?.S === poisonKey.SK;
  let poisonOn = false;
  let poisonSeen = 0;
  // the deployed consumer, except that it throws (a function error) on a batch holding the poison record
  const consumer: PollerOptions['handler'] = async (event, context) => {
    const own = event.Records.filter(ours);
    if (poisonOn && own.some(isPoison)) {
      poisonSeen++;
      throw new Error('poison record');
    }
    return own.length ? streamHandler({ Records: own }, context) : { batchItemFailures: [] };
  };
  const deadLetters = deadLetterPath();
  const p = await poller({ deadLetters, handler: consumer, functionName: 'StreamConsumer', endpoint: process.env.DYNAMODB_ENDPOINT! });
  await p.drain();
  poisonOn = true;
  // every level drops to low stock: one status change each, the poison level's among them
  for (const iid of items) await setLevel(a, iid, wid, { stocked_quantity: 10 });
  await p.drain();

  const flag = async (iid: string) =>
    (await db().send(new GetCommand({ TableName: tableName(), Key: keys.level(a.tenant, iid, wid), ConsistentRead: true }))).Item?.flag_status;
  for (const iid of items) expect([iid, await flag(iid)]).toEqual([iid, iid === poison ? undefined : 'low']);
  const letters = readDeadLetters(deadLetters);
  expect(letters).toHaveLength(1);
  const [letter] = letters;
  // isolated to the poison record alone, retried retryAttempts times as a batch of one, then dead-lettered
  expect(letter!.records.map(isPoison)).toEqual([true]);
  expect(letter!.requestContext).toMatchObject({
    condition: 'RetryAttemptsExhausted',
    retries: STREAM_SOURCE.retryAttempts,
    approximateInvokeCount: poisonSeen,
  });
  expect(letter!.error).toBe('poison record');
  expect(letter!.DDBStreamBatchInfo).toMatchObject({
    batchSize: 1,
    startSequenceNumber: seq(letter!.records[0]!),
    endSequenceNumber: seq(letter!.records[0]!),
  });
  // bounded: the splits down to one record (≤ log2 of the batch size, plus the first call), then the retries
  expect(poisonSeen).toBeGreaterThan(STREAM_SOURCE.retryAttempts);
  expect(poisonSeen).toBeLessThanOrEqual(Math.ceil(Math.log2(STREAM_SOURCE.batchSize)) + 1 + STREAM_SOURCE.retryAttempts);

  // a redrive while the record still fails writes it back (one attempt), and counts the redrive
  const again = await redriveDeadLetters(deadLetters, consumer);
  expect(again).toMatchObject({ letters: 1, records: 1, applied: 0, failed: 1 });
  expect(readDeadLetters(deadLetters).map((l) => [l.records.length, l.redrives])).toEqual([[1, 1]]);

  // fixed: `stream redrive` (the CLI, as an operator runs it) hands it over as the StreamConsumer function
  poisonOn = false;
  const events = deadLetterPath(); // a file of its own for the events the consumer publishes
  const cli = await cliRun(events, 'stream', 'redrive', '--file', deadLetters, '--endpoint', process.env.DYNAMODB_ENDPOINT!, '--table', table);
  expect({ code: cli.code, err: cli.err }).toEqual({ code: 0, err: '' });
  expect(cli.out).toContain(`Redrove 1 dead letter(s) from ${deadLetters}: 1 record(s), 1 applied, 0 failed again.`);
  expect(existsSync(deadLetters) ? readFileSync(deadLetters, 'utf8') : '').toBe('');
  expect(await flag(poison)).toBe('low');
  const published = readFileSync(events, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(published.map((e) => [e.type, e.detail.inventory_item_id, e.detail.from, e.detail.to])).toEqual([
    ['inventory.level.status_changed', poison, 'normal', 'low'],
  ]);
}, 180_000);

test('a record older than the maximum record age is dead-lettered without running the handler; younger ones are handed over', async () => {
  const { mine, write, names } = rows();
  let shift = 0;
  const handed: string[] = [];
  const deadLetters = deadLetterPath();
  const p = await poller({
    deadLetters,
    // the clock, not the records, is moved: past the mapping's maximum age (and DynamoDB Local's minute-truncated creation times)
    clock: () => Date.now() + shift,
    handler: async (event) => {
      handed.push(...event.Records.filter(mine).map(pk));
      return { batchItemFailures: [] };
    },
  });
  shift = STREAM_SOURCE.maxRecordAgeHours * 3_600_000 + 120_000;
  await write(3);
  await p.drain();
  expect(handed).toEqual([]);
  const expired = readDeadLetters(deadLetters).filter((l) => l.records.some(mine));
  expect(expired.flatMap((l) => l.records.filter(mine).map(pk))).toEqual(names(3));
  for (const l of expired) expect(l.requestContext).toMatchObject({ condition: 'RecordAgeExceeded', approximateInvokeCount: 0, retries: 0 });

  shift = 0;
  await write(2, 3);
  await p.drain();
  expect(handed).toEqual(names(2, 3));
}, 120_000);
