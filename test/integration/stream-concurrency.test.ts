/**
 * Stream shards run concurrently (lib/local/stream-poller.ts), and a hot level's records can be on
 * more than one shard (its shard rows are partitions of their own), so two batch handlers may settle
 * one hot level at once. DynamoDB Local gives a table's stream one shard, so the two shards are
 * staged: two runners consume the same stream, each handing its batches to the deployed consumer,
 * and a rendezvous holds the first to arrive until the other has the level's records too. Through a
 * front of this file's own with transaction conflicts and IAM on. The order of shards (a child only
 * after its parent) is proven on the scheduling rule itself (test/unit/stream-shards.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { DomainError } from '../../functions/core/errors.ts';
import { createItem, getItem } from '../../functions/core/items.ts';
import { adjustLevel, createLevel, setLevel } from '../../functions/core/levels.ts';
import { createWarehouse } from '../../functions/core/locations.ts';
import { levelStatus } from '../../functions/core/model.ts';
import type { Actor } from '../../functions/core/model.ts';
import { reconcile } from '../../functions/core/reconcile.ts';
import { createReservation, listReservations, releaseReservation } from '../../functions/core/reservations.ts';
import { db, runAs, tableName } from '../../functions/store/db.ts';
import { keys } from '../../functions/store/keys.ts';
import { readHot, settleHotLevel } from '../../functions/store/levels.ts';
import { handler as streamHandler, settleHot } from '../../functions/stream/handler.ts';
import { startFrontFor } from '../../lib/local/dynamo-front.ts';
import { readDeadLetters } from '../../lib/local/stream-dead-letters.ts';
import { startStreamPoller } from '../../lib/local/stream-poller.ts';
import { useOwnFront } from '../support/own-front.ts';
import { newTenant } from '../support/api.ts';
import { codeOf } from '../support/domain-code.ts';

const front = useOwnFront((target) => startFrontFor(target, { iam: true, conflicts: true, throughput: false }));
afterEach(() => expect(front().stats.denied).toEqual([]));

const now = () => new Date().toISOString();

test("two shards' batches settling one hot level at the same time keep its invariants (I1–I3, I6), its figures and reconcile clean", async () => {
  const a: Actor = { tenant: newTenant(), keyId: 'k', keyName: 'stream-shards', scopes: ['inventory:write', 'reservations:write'] };
  const wid = (await createWarehouse(a, { name: 'Hot' })).id;
  const iid = (await createItem(a, { sku: `HOT-SHARDS-${Math.random().toString(36).slice(2, 8)}` })).id;
  const N = 4;
  await createLevel(a, iid, { location_id: wid, stocked_quantity: 40, safety_stock: 2, reorder_level: 10 });
  await setLevel(a, iid, wid, { hot_shards: N });
  await settleHotLevel(a.tenant, iid, wid, now());

  const ours = (r: DynamoDBRecord) => String(r.dynamodb?.Keys?.PK?.S ?? '').startsWith(`T#${a.tenant}#`);
  // the rendezvous: the first batch holding this level's records waits (up to a second) for the other runner's
  let waiting: (() => void) | undefined;
  const meet = () =>
    new Promise<void>((go) => {
      if (waiting) {
        const other = waiting;
        waiting = undefined;
        other();
        go();
        return;
      }
      waiting = go;
      setTimeout(() => {
        if (waiting === go) {
          waiting = undefined;
          go();
        }
      }, 1000);
    });
  let inside = 0;
  let together = 0;
  const files = [0, 1].map(() => join(tmpdir(), `inventory-dead-letters-${randomUUID()}.ndjson`));
  const runners = await Promise.all(
    files.map((deadLetters) =>
      startStreamPoller({
        endpoint: process.env.DYNAMODB_ENDPOINT!,
        tableName: process.env.TABLE_NAME!,
        from: 'LATEST',
        intervalMs: 60_000,
        deadLetters,
        handler: async (event, context) => {
          const own = event.Records.filter(ours);
          if (!own.length) return { batchItemFailures: [] };
          await meet();
          inside++;
          if (inside > 1) together++;
          try {
            return await streamHandler({ Records: own }, context);
          } finally {
            inside--;
          }
        },
      }),
    ),
  );
  try {
    let stocked = 40;
    const held: string[] = [];
    for (let round = 0; round < 5; round++) {
      // reservations taken from the shards, one released, new stock: records of the level and of its shards
      const made = await Promise.all(
        Array.from({ length: 6 }, () => createReservation(a, { inventory_item_id: iid, location_id: wid, quantity: 1 }).catch((err) => err)),
      );
      for (const r of made) if (!(r instanceof Error)) held.push(r.id);
      expect(made.filter((r) => r instanceof Error && !(r instanceof DomainError))).toEqual([]);
      await releaseReservation(a, held.shift()!);
      await adjustLevel(a, iid, wid, { adjustment: 3 });
      stocked += 3;
      // both runners at once: each settles the level from its own batch
      await Promise.all(runners.map((r) => r.drain()));
    }
    expect(together).toBeGreaterThan(0); // the two handlers were inside with this level's records at the same time

    const s = (await readHot(a.tenant, iid, wid, N))!;
    const open = (await listReservations(a, { inventory_item_id: [iid] }, { offset: 0, limit: 100 })).reservations;
    const reservedByOrders = open.reduce((n, r) => n + r.quantity, 0);
    expect(reservedByOrders).toBe(held.length);
    const level = s.level;
    const [st, rs, av, safety] = [level.stocked_quantity, level.reserved_quantity, level.available_quantity, level.safety_stock ?? 0].map(Number) as [
      number,
      number,
      number,
      number,
    ];
    expect(st).toBe(stocked);
    expect(av).toBe(st - rs - safety); // I1
    expect(rs).toBe(reservedByOrders + s.parked); // I2
    expect([st >= 0, rs >= 0, s.allots.every((x) => x >= 0)]).toEqual([true, true, true]); // I3
    expect(s.parked).toBeGreaterThan(0); // the consumers parked the new stock
    expect(av).toBeGreaterThanOrEqual(0); // I6: units parked only while the level's own available stays ≥ 0
    // shown: parked units are free stock, every unit accounted for
    const shown = (await getItem(a, iid)).location_levels![0]!;
    expect([shown.stocked_quantity, shown.reserved_quantity, shown.available_quantity]).toEqual([
      stocked,
      reservedByOrders,
      stocked - reservedByOrders - safety,
    ]);
    expect((await reconcile(a.tenant, { repair: false, by: 'test', publish: async () => {} })).drifts).toEqual([]);
    expect(files.flatMap((f) => readDeadLetters(f))).toEqual([]);
    // the flag: two settles may write an older snapshot's flag last (the handler's documented window); the next settle sets it right
    await runAs('StreamConsumer', () => settleHot(a.tenant, iid, wid));
    const flagged = (await db().send(new GetCommand({ TableName: tableName(), Key: keys.level(a.tenant, iid, wid), ConsistentRead: true }))).Item!;
    expect(flagged.flag_status ?? 'normal').toBe(levelStatus(stocked - reservedByOrders - safety, safety, 10));
    expect(await codeOf(createReservation(a, { inventory_item_id: iid, location_id: wid, quantity: stocked - reservedByOrders - safety + 1 }))).toBe(
      'INSUFFICIENT_STOCK',
    );
  } finally {
    await Promise.all(runners.map((r) => r.stop()));
    for (const f of files) rmSync(f, { force: true });
  }
}, 180_000);
