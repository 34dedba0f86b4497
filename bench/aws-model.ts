/**
 * `npm run bench -- --aws-model`: the service against the DynamoDB front with AWS's behaviour on —
 * IAM per function, transaction conflicts (modelled commit time), partition limits scaled by
 * DYNAMO_FRONT_SCALE (default 0.1: 100 write units/s and 300 read units/s per partition, so that
 * DynamoDB Local on two cores is not the bottleneck; every figure is a ratio to the scaled limit).
 *
 *   P1/P2  as in the standard run, through the model; p1_min_ratio = service ÷ the minimal correct
 *          reservation (guarded level update + reservation row in one transaction, bare client), c = 8
 *   P7     hot SKU: reservations/s on one level at c = 1, 8, 32, 128 for the current design (the
 *          service), its bare transaction, and an alternative — a conditional UpdateItem of the level
 *          outside any transaction, then the reservation row (PutItem) — each ÷ the model's
 *          single-item limit (1,000 × scale reservations/s: one write unit per reservation on the item)
 *          Also hot mode (POST …/location-levels/{wid} `hot_shards`, store/hot.ts) with 2 and 4 shards.
 *   P8     hot mode beyond one partition: reservations/s on one SKU in hot mode with 32 shards (the most a level takes) ÷ the
 *          single-item limit, at a model scale of 0.02 (20 write units/s per partition; 5× that is
 *          100/s, which the whole stack on DynamoDB Local can carry; at 0.1 it could not show 5×)
 *   P9     TransactionConflicts per 1,000 writes when 32 callers write 32 different SKUs of one
 *          warehouse (PUT /api/inventory/{sku}) and reserve at 32 warehouses of one item (goal 0)
 *
 * Every figure at each transaction hold T of --commit-ms (default 10, 25, 50 ms; held T ÷ scale), the
 * T = 25 figures on top and each T's under `at_commit_ms`. Writes bench/results-aws-model.json; prints a table.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { newId } from '../functions/core/ids.ts';
import { keys } from '../functions/store/keys.ts';
import { runAs } from '../functions/store/db.ts';
import { readHot } from '../functions/store/levels.ts';
import { settleHot } from '../functions/stream/handler.ts';
import { runP1 } from './p1-reservations.ts';
import type { P1Options } from './p1-reservations.ts';
import { client, ok as okOnce } from './lib/http.ts';
import type { Client } from './lib/http.ts';
import { makeKey, newTenant } from './lib/seed.ts';
import { BENCH_DIR, machine, startDynamoDb, startStack } from './lib/stack.ts';
import { DEFAULT_COMMIT_MS } from '../lib/local/dynamo-front.ts';
import { median } from './lib/stats.ts';

const HOT_CONCURRENCY = [1, 8, 32, 128];

interface HotRow {
  design: string;
  concurrency: number;
  perSecond: number;
  ratio: number;
  errors: number;
}

/**
 * `concurrency` callers in a closed loop for `warmMs` + `ms`; only the last `ms` count. The warm-up
 * spends the token buckets' one second of burst, so the figure is the steady state a partition
 * allows, not its burst.
 */
async function closedLoop(concurrency: number, ms: number, op: () => Promise<void>, warmMs = WARM_MS) {
  let done = 0;
  let errors = 0;
  const start = performance.now();
  const t0 = start + warmMs;
  const deadline = t0 + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        try {
          await op();
          if (performance.now() >= t0) done++;
        } catch {
          if (performance.now() >= t0) errors++;
        }
      }
    }),
  );
  return { done, errors, perSecond: (done / (performance.now() - t0)) * 1000 };
}
const WARM_MS = 1500;

/** The transaction holds every figure is measured at by default (ms at full scale): optimistic, the public p50, pessimistic. */
export const COMMIT_SWEEP = [10, 25, 50] as const;

export async function runAwsModel(opts: { quick: boolean; log: (s: string) => void; only?: string; commitMs?: number[] }) {
  const { log } = opts;
  const t0 = performance.now();
  const host = await machine();
  const tableName = 'inventory-bench-aws';
  const ddb = await startDynamoDb(tableName, true);
  const front = ddb.front;
  const scale = front.options.scale;
  const limit = 1000 * scale;
  const stack = await startStack(ddb, tableName);
  log(
    `AWS model: DynamoDB front on ${ddb.endpoint} (IAM, conflicts ${front.options.commitMs} ms, partition limits ×${scale}: ${limit} WCU/s per partition); service on ${stack.url}`,
  );
  try {
    if (opts.only === 'p9') {
      // at the front's T (DYNAMO_FRONT_COMMIT_MS), or at each T of --commit-ms (the first one's figures on top)
      const ts = opts.commitMs?.length ? opts.commitMs : [front.options.commitMs];
      const at: Record<string, Record<string, number>> = {};
      let first: Awaited<ReturnType<typeof runP9>> | undefined;
      for (const commitMs of ts) {
        front.options.commitMs = commitMs;
        log(`P9 at T = ${commitMs} ms`);
        const http: Client = client(stack.url, await makeKey(newTenant('aws')), 256); // a tenant per run: P9's SKUs are named
        const p9 = await runP9(http, front, opts);
        http.close();
        first ??= p9;
        at[String(commitMs)] = p9.figures;
      }
      // only P9's figures change in the results file; the others stay from the last full run
      const file = join(BENCH_DIR, 'results-aws-model.json');
      const prev = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
      const byT = { ...(prev.at_commit_ms ?? {}) };
      for (const [t, figures] of Object.entries(at)) byT[t] = { ...(byT[t] ?? {}), ...figures };
      const next = { ...prev, ...first!.figures, p9: first!.detail, p9_date: new Date().toISOString(), p9_machine: host, at_commit_ms: byT };
      writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`);
      console.log(`\n${JSON.stringify(at, null, 1)}\nupdated P9 in ${file}`);
      return;
    }
    /** Every figure of the model at the front's current T (front.options.commitMs). */
    const throughputOn = front.options.throughput;
    const measureAt = async () => {
      front.options.throughput = throughputOn; // P9 turns the limits off
      front.options.scale = scale;
      // ---- P1/P2 through the model
      const p1Plan: P1Options = opts.quick
        ? { rounds: 3, runMs: 1000, warmupMinMs: 4000, warmupMaxMs: 10_000 }
        : { rounds: 3, runMs: 2500, warmupMinMs: 8000, warmupMaxMs: 20_000 };
      log('P1/P2 hot-SKU reservations through the model');
      const p1 = await runP1(stack, p1Plan, log);
      const c8 = p1.perConcurrency.find((c) => c.concurrency === 8)!;

      // ---- P7 hot SKU: designs × concurrency
      const tenant = newTenant('aws');
      const key = await makeKey(tenant);
      const http: Client = client(stack.url, key, 256);
      const wid = (await ok(http, 'POST', '/api/warehouses', { name: 'Hot' })).body.data.id as string;
      const level = async (sku: string) => {
        const iid = (await ok(http, 'POST', '/admin/inventory-items', { sku })).body.inventory_item.id as string;
        await ok(http, 'POST', `/admin/inventory-items/${iid}/location-levels`, { location_id: wid, stocked_quantity: 1_000_000_000 });
        return iid;
      };
      const bare = DynamoDBDocumentClient.from(
        new DynamoDBClient({ endpoint: ddb.endpoint, region: 'local', credentials: { accessKeyId: 'admin', secretAccessKey: 'x' }, maxAttempts: 10 }),
      );
      const runMs = opts.quick ? 1500 : 3000;
      const rows: HotRow[] = [];
      const reserve = async (iid: string) => {
        const res = await http.request('POST', '/admin/reservations', { inventory_item_id: iid, location_id: wid, quantity: 1 });
        if (res.status !== 200 && res.status !== 201) throw new Error(`HTTP ${res.status}`);
      };
      const designs: { design: string; shards?: number; op: (iid: string) => Promise<void> }[] = [
        { design: 'current (service: level + reservation row, one transaction)', op: reserve },
        { design: 'hot mode, 2 shards (service: shard + reservation row, one transaction)', shards: 2, op: reserve },
        { design: 'hot mode, 4 shards (service)', shards: 4, op: reserve },
        {
          design: 'alternative (conditional UpdateItem of the level, then PutItem of the reservation)',
          op: async (iid) => {
            const now = new Date().toISOString();
            await bare.send(
              new UpdateCommand({
                TableName: tableName,
                Key: keys.level(tenant, iid, wid),
                UpdateExpression: 'SET reserved_quantity = reserved_quantity + :q, available_quantity = available_quantity - :q, updated_at = :now',
                ConditionExpression: 'attribute_exists(PK) AND available_quantity >= :q',
                ExpressionAttributeValues: { ':q': 1, ':now': now },
              }),
            );
            const rid = newId('res');
            await bare.send(
              new PutCommand({
                TableName: tableName,
                Item: {
                  ...keys.reservation(tenant, rid),
                  entity: 'reservation',
                  id: rid,
                  inventory_item_id: iid,
                  location_id: wid,
                  quantity: 1,
                  created_at: now,
                },
              }),
            );
          },
        },
      ];
      const oversell: Record<string, { reserved: number; succeeded: number }> = {};
      for (const d of designs) {
        const iid = await level(`HOT-${rows.length}`);
        const background = d.shards ? await hotMode(http, tenant, iid, wid, d.shards) : undefined;
        let succeeded = 0;
        for (const c of HOT_CONCURRENCY) {
          await new Promise((r) => setTimeout(r, 1200)); // the partition's bucket refills between runs
          const run = await closedLoop(c, runMs, () => d.op(iid).then(() => void succeeded++));
          rows.push({ design: d.design, concurrency: c, perSecond: run.perSecond, ratio: run.perSecond / limit, errors: run.errors });
          log(
            `  P7 ${d.design.split(' ')[0]} c=${c}: ${run.perSecond.toFixed(1)}/s (${((run.perSecond / limit) * 100).toFixed(0)} % of ${limit}/s), ${run.errors} errors`,
          );
        }
        if (background) clearInterval(background);
        oversell[d.design.split(' (')[0]] = { reserved: await reservedShown(http, iid), succeeded };
      }
      log(`  throttled at the front so far: ${front.stats.throttled}`);
      const best = (prefix: string) => Math.max(...rows.filter((r) => r.design.startsWith(prefix)).map((r) => r.ratio));

      // ---- P8 hot mode beyond one partition, at a lower scale (see the header)
      const p8Scale = 0.02;
      const p8Limit = 1000 * p8Scale;
      front.options.scale = p8Scale;
      const p8Rows: HotRow[] = [];
      for (const d of [
        { design: 'current (one level item)', shards: 0 },
        { design: 'hot mode, 32 shards', shards: 32 },
      ]) {
        const iid = await level(`P8-${p8Rows.length}`);
        const background = d.shards ? await hotMode(http, tenant, iid, wid, d.shards) : undefined;
        let succeeded = 0;
        for (const c of [8, 32, 128]) {
          await new Promise((r) => setTimeout(r, 1200));
          const run = await closedLoop(c, runMs, () => reserve(iid).then(() => void succeeded++));
          p8Rows.push({ design: d.design, concurrency: c, perSecond: run.perSecond, ratio: run.perSecond / p8Limit, errors: run.errors });
          log(`  P8 ${d.design} c=${c}: ${run.perSecond.toFixed(1)}/s (${(run.perSecond / p8Limit).toFixed(2)} × ${p8Limit}/s), ${run.errors} errors`);
        }
        if (background) clearInterval(background);
        oversell[`P8 ${d.design}`] = { reserved: await reservedShown(http, iid), succeeded };
      }
      // end of stock in hot mode: 128 callers reserve 1 at a time until refused; exactly the stock goes
      const endStock = 300;
      const endIid = (await ok(http, 'POST', '/admin/inventory-items', { sku: 'P8-END' })).body.inventory_item.id as string;
      await ok(http, 'POST', `/admin/inventory-items/${endIid}/location-levels`, { location_id: wid, stocked_quantity: endStock });
      const endBackground = await hotMode(http, tenant, endIid, wid, 32);
      let endOk = 0;
      let endOther = 0;
      await Promise.all(
        Array.from({ length: 128 }, async () => {
          for (;;) {
            const res = await http.request('POST', '/admin/reservations', { inventory_item_id: endIid, location_id: wid, quantity: 1 });
            if (res.status === 200 || res.status === 201) endOk++;
            else if (res.body?.code === 'INSUFFICIENT_STOCK') return;
            else endOther++; // throttled or contention: the caller tries again
          }
        }),
      );
      clearInterval(endBackground);
      const endLevel = (await readSettled(http, `/admin/inventory-items/${endIid}`)).body.inventory_item.location_levels[0];
      const p8End = {
        stock: endStock,
        succeeded: endOk,
        retriedAnswers: endOther,
        reserved: Number(endLevel.reserved_quantity),
        available: Number(endLevel.available_quantity),
      };
      log(
        `  P8 end of stock (32 shards, 128 callers): ${endOk} of ${endStock} reserved, shown reserved ${p8End.reserved}, available ${p8End.available}; ${endOther} answers retried`,
      );
      front.options.scale = scale;
      const bestP8 = (prefix: string) => Math.max(...p8Rows.filter((r) => r.design.startsWith(prefix)).map((r) => r.ratio));

      const p9 = await runP9(http, front, opts);
      http.close();
      bare.destroy();

      const results = {
        p1_ratio: Number(c8.ratio.toFixed(3)),
        p1_min_ratio: Number(c8.ratio.toFixed(3)),
        p2_p50_ms: Number(p1.p50AddedMs.toFixed(2)),
        p2_p99_ms: Number(p1.p99AddedMs.toFixed(2)),
        p7_hot_sku_model_ratio: Number(Math.max(best('current'), best('hot mode, 2')).toFixed(3)),
        p7_current_model_ratio: Number(best('current').toFixed(3)),
        p7_alternative_model_ratio: Number(best('alternative').toFixed(3)),
        p7_hot_mode_2_model_ratio: Number(best('hot mode, 2').toFixed(3)),
        p7_hot_mode_4_model_ratio: Number(best('hot mode, 4').toFixed(3)),
        p8_hot_mode_ratio: Number(bestP8('hot mode').toFixed(3)),
        p8_current_ratio: Number(bestP8('current').toFixed(3)),
        ...p9.figures,
        model: { scale, limitPerSecond: limit, commitMs: front.options.commitMs, awsProjectionPerSecond: 1000 },
        p1: {
          perConcurrency: p1.perConcurrency.map((c) => ({ concurrency: c.concurrency, service: median(c.service), raw: median(c.raw), ratio: c.ratio })),
          errors: p1.errors,
          rawConflicts: p1.rawConflicts,
        },
        p7: rows,
        p8: { scale: p8Scale, limitPerSecond: p8Limit, awsProjectionPerSecond: 1000, rows: p8Rows, endOfStock: p8End },
        oversell,
        p9: p9.detail,
        denied: front.stats.denied,
        throttledAtFront: front.stats.throttled,
        machine: host,
        date: new Date().toISOString(),
        wallSeconds: Math.round((performance.now() - t0) / 1000),
      };
      return { results, designs, rows, p8Rows, p8Scale, p8Limit };
    };
    // every figure at each T asked for (--commit-ms 10,25,50; default: those three), holds T ÷ scale
    const sweep = opts.commitMs?.length ? opts.commitMs : [...COMMIT_SWEEP];
    const runs: ({ commitMs: number } & Awaited<ReturnType<typeof measureAt>>)[] = [];
    for (const commitMs of sweep) {
      front.options.commitMs = commitMs;
      front.resetStats();
      log(`T = ${commitMs} ms (a transaction holds its items ${commitMs / scale} ms at scale ${scale}, ${commitMs / 0.02} ms in P8)`);
      runs.push({ commitMs, ...(await measureAt()) });
    }
    const primary = runs.find((r) => r.commitMs === DEFAULT_COMMIT_MS) ?? runs[0];
    const scalars = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).filter(([, v]) => typeof v === 'number' || typeof v === 'string'));
    const results = {
      ...primary.results,
      commit_ms: primary.commitMs,
      commit_p99_ms: front.options.commitP99Ms,
      at_commit_ms: Object.fromEntries(runs.map((r) => [String(r.commitMs), { ...scalars(r.results), model: r.results.model, oversell: r.results.oversell }])),
    };
    const file = join(BENCH_DIR, 'results-aws-model.json');
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    for (const { commitMs, designs, rows, p8Rows, p8Scale, p8Limit } of runs) {
      console.log(`\nT = ${commitMs} ms`);
      console.log(
        '\nhot SKU under the model (reservations/s on one level; ratio to the single-item limit ' +
          `${limit}/s = 1,000/s × ${scale}; AWS projection = ratio × 1,000/s)`,
      );
      console.log('| design | c=1 | c=8 | c=32 | c=128 |\n|---|---|---|---|---|');
      for (const d of designs) {
        const r = rows.filter((x) => x.design === d.design);
        console.log(`| ${d.design} | ${r.map((x) => `${x.perSecond.toFixed(1)} (${x.ratio.toFixed(2)})`).join(' | ')} |`);
      }
      console.log(`\nP8 (scale ${p8Scale}: ratio to ${p8Limit}/s; AWS projection = ratio × 1,000/s)\n| design | c=8 | c=32 | c=128 |\n|---|---|---|---|`);
      for (const d of [...new Set(p8Rows.map((r) => r.design))]) {
        const r = p8Rows.filter((x) => x.design === d);
        console.log(`| ${d} | ${r.map((x) => `${x.perSecond.toFixed(1)} (${x.ratio.toFixed(2)})`).join(' | ')} |`);
      }
    }
    console.log(
      `\n${JSON.stringify({ ...results, p7: undefined, p8: undefined, p1: undefined, machine: undefined, denied: results.denied.length }, null, 1)}\nwrote ${file}`,
    );
  } finally {
    for (const t of backgrounds) clearInterval(t);
    await stack.stop();
    await ddb.stop();
  }
}

/**
 * Put a level in hot mode through the API, then park its stock the way the stream consumer does
 * (settleHot, as the StreamConsumer function: its grants), and keep doing so every 100 ms while the
 * bench runs, as the consumer would on the level's records.
 */
async function hotMode(http: Client, tenant: string, iid: string, wid: string, shards: number) {
  await ok(http, 'POST', `/admin/inventory-items/${iid}/location-levels/${wid}`, { hot_shards: shards });
  const settle = () => runAs('StreamConsumer', () => settleHot(tenant, iid, wid));
  await settle();
  const s = await readHot(tenant, iid, wid, shards);
  if (!s || s.parked === 0 || s.allots.some((a) => a === 0)) throw new Error('hot mode: stock not parked');
  const timer = setInterval(() => void settle().catch(() => undefined), 100);
  timer.unref();
  backgrounds.push(timer);
  return timer;
}
const backgrounds: NodeJS.Timeout[] = [];

/** The level's reserved quantity as the API shows it (exact in hot mode). */
/**
 * A set-up or check request of the bench, retried while the model answers 429 (the faithful front
 * throttles the table, index partitions and a hot level's snapshot for a while after a hot run).
 */
async function ok<T = any>(c: Client, method: string, path: string, body?: unknown) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await okOnce<T>(c, method, path, body);
    } catch (err) {
      if (!/HTTP 429/.test(String((err as Error).message)) || attempt >= 30) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/**
 * A read after a run, retried while the model answers 429: right after a hot run the level's
 * partitions (and a hot level's snapshot, which any write cancels) are still out of capacity.
 */
async function readSettled(http: Client, path: string) {
  for (let attempt = 1; ; attempt++) {
    const res = await http.request('GET', path);
    if (res.status >= 200 && res.status <= 299) return res;
    if (res.status !== 429 || attempt >= 30) throw new Error(`GET ${path}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function reservedShown(http: Client, iid: string): Promise<number> {
  const item = (await readSettled(http, `/admin/inventory-items/${iid}`)).body.inventory_item;
  return Number(item.location_levels[0].reserved_quantity);
}

/**
 * P9: TransactionConflicts (and TransactionConflictExceptions) the front answered per 1,000 writes,
 * 32 callers setting 32 SKUs of one warehouse, then 32 callers reserving one item at 32 warehouses.
 * Partition limits off: conflicts alone are counted.
 */
async function runP9(http: Client, front: Awaited<ReturnType<typeof startDynamoDb>>['front'], opts: { quick: boolean; log: (s: string) => void }) {
  const { log } = opts;
  const wid = (await ok(http, 'POST', '/api/warehouses', { name: 'P9' })).body.data.id as string;
  const level = async (sku: string) => {
    const iid = (await ok(http, 'POST', '/admin/inventory-items', { sku })).body.inventory_item.id as string;
    await ok(http, 'POST', `/admin/inventory-items/${iid}/location-levels`, { location_id: wid, stocked_quantity: 1_000_000_000 });
    return iid;
  };
  // ---- P9 cross-SKU conflicts (limits off: conflicts alone are counted)
  front.options.throughput = false;
  const p9 = async (label: string, calls: (i: number) => Promise<unknown>, perCaller: number) => {
    front.resetStats();
    let writes = 0;
    await Promise.all(
      Array.from({ length: 32 }, async (_, i) => {
        for (let k = 0; k < perCaller; k++) {
          await calls(i);
          writes++;
        }
      }),
    );
    const conflicts = front.stats.txConflicts + front.stats.writeConflicts;
    log(`  P9 ${label}: ${conflicts} conflicts in ${writes} writes`);
    return { conflicts, writes, per1000: (conflicts / writes) * 1000 };
  };
  const perCaller = opts.quick ? 5 : 10;
  const skus = await Promise.all(
    Array.from({ length: 32 }, async (_, i) => {
      await level(`P9-${i}`);
      return `P9-${i}`;
    }),
  );
  const sameWarehouse = await p9(
    '32 SKUs of one warehouse (PUT /api/inventory/{sku})',
    (i) => ok(http, 'PUT', `/api/inventory/${skus[i]}`, { warehouse_id: wid, quantity: 1000 + Math.floor(Math.random() * 1000) }),
    perCaller,
  );
  const whs = await Promise.all(
    Array.from({ length: 32 }, async (_, i) => (await ok(http, 'POST', '/api/warehouses', { name: `W${i}` })).body.data.id as string),
  );
  const iid = (await ok(http, 'POST', '/admin/inventory-items', { sku: 'P9-ITEM' })).body.inventory_item.id as string;
  for (const w of whs) await ok(http, 'POST', `/admin/inventory-items/${iid}/location-levels`, { location_id: w, stocked_quantity: 1_000_000 });
  const sameItem = await p9(
    '32 warehouses of one item (POST /admin/reservations)',
    (i) => ok(http, 'POST', '/admin/reservations', { inventory_item_id: iid, location_id: whs[i], quantity: 1 }),
    perCaller,
  );

  return {
    figures: { p9_cross_sku_conflicts: Number(sameWarehouse.per1000.toFixed(1)), p9_cross_warehouse_conflicts: Number(sameItem.per1000.toFixed(1)) },
    detail: { sameWarehouse, sameItem },
  };
}
