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
 *          single-item limit, at a model scale of P8_SCALE = 0.01 (10 write units/s per partition; 5×
 *          that is 50/s: DynamoDB Local, one core of this machine's two, carried 50–75 escrow
 *          reservations/s with the whole stack, so at 0.02 the machine, not the model, set the figure),
 *          the table warmed to the 40,000 quota; each run P8_RUN_MS (a transaction holds 2.5 s here)
 *   P9     TransactionConflicts per 1,000 writes when 32 callers write 32 different SKUs of one
 *          warehouse (PUT /api/inventory/{sku}) and reserve at 32 warehouses of one item (goal 0)
 *
 * Every figure at each transaction hold T of --commit-ms (default 10, 25, 50 ms; held T ÷ scale), the
 * T = 25 figures on top and each T's under `at_commit_ms`. Writes bench/results-aws-model.json; prints a table.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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
import { DEFAULT_COMMIT_MS, TABLE_QUOTA } from '../lib/local/dynamo-front.ts';
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

export async function runAwsModel(opts: { quick: boolean; log: (s: string) => void; only?: string; commitMs?: number[]; out?: string }) {
  const resultsFile = opts.out ?? join(BENCH_DIR, 'results-aws-model.json');
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
    if (opts.only) {
      // one workload at the front's T (DYNAMO_FRONT_COMMIT_MS), or at each T of --commit-ms (the first one's figures on top)
      const only = opts.only;
      if (!['p7', 'p8', 'p9', 'p11', 'designs'].includes(only)) throw new Error(`--only ${only}: one of p7, p8 (with p12), p9, p11, designs`);
      const ts = opts.commitMs?.length ? opts.commitMs : [front.options.commitMs];
      const at: Record<string, Record<string, number>> = {};
      let first: { figures: Record<string, number>; detail: unknown } | undefined;
      const bare = bareClient(ddb.endpoint);
      for (const commitMs of ts) {
        front.options.commitMs = commitMs;
        log(`${only} at T = ${commitMs} ms`);
        const tenant = newTenant('aws');
        const http: Client = client(stack.url, await makeKey(tenant), 256); // a tenant per run: P9's SKUs are named
        const wid = (await ok(http, 'POST', '/api/warehouses', { name: 'Hot' })).body.data.id as string;
        const ctx: ModelCtx = {
          url: stack.url,
          http,
          tenant,
          wid,
          front,
          bare,
          tableName,
          runMs: opts.quick ? 1500 : 3000,
          quick: opts.quick,
          log,
          setEnv: stack.setEnv,
        };
        const r =
          only === 'p9'
            ? await runP9(http, front, opts)
            : only === 'p7'
              ? await runP7(ctx)
              : only === 'p11'
                ? await runP11(ctx)
                : only === 'p8'
                  ? await runP8(ctx)
                  : await runDesigns(ctx);
        http.close();
        first ??= r;
        at[String(commitMs)] = r.figures;
      }
      bare.destroy();
      // only these figures change in the results file; the others stay from the last full run
      const committed = join(BENCH_DIR, 'results-aws-model.json');
      const source = existsSync(resultsFile) ? resultsFile : committed;
      const prev = existsSync(source) ? JSON.parse(readFileSync(source, 'utf8')) : {};
      const byT = { ...(prev.at_commit_ms ?? {}) };
      for (const [t, figures] of Object.entries(at)) byT[t] = { ...(byT[t] ?? {}), ...figures };
      const next = {
        ...prev,
        ...first!.figures,
        [only]: first!.detail,
        [`${only}_date`]: new Date().toISOString(),
        [`${only}_machine`]: host,
        [`${only}_load`]: loadavg().map((n) => Number(n.toFixed(2))),
        at_commit_ms: byT,
      };
      writeFileSync(resultsFile, `${JSON.stringify(next, null, 2)}\n`);
      console.log(`\n${JSON.stringify(at, null, 1)}\nupdated ${only} in ${resultsFile}`);
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
      const bare = bareClient(ddb.endpoint);
      const runMs = opts.quick ? 1500 : 3000;
      const ctx: ModelCtx = { url: stack.url, http, tenant, wid, front, bare, tableName, runMs, quick: opts.quick, log, setEnv: stack.setEnv };
      const p7 = await runP7(ctx);
      const { rows, designs, oversell } = p7;

      // ---- P8 hot mode beyond one partition, at a lower scale (see the header), with P12's reads
      const p8 = await runP8(ctx);
      Object.assign(oversell, p8.oversell);
      const { rows: p8Rows, p8Scale, p8Limit } = p8;
      // ---- P11 one tenant's SKUs at once (item 4), and the hot-SKU designs side by side (item 2)
      log('P11 one tenant, 64 SKUs over 4 warehouses');
      const p11 = await runP11(ctx);
      log('hot-SKU designs (bare clients, P7 scale)');
      const designsRun = await runDesigns(ctx);

      const p9 = await runP9(http, front, opts);
      http.close();
      bare.destroy();

      const results = {
        p1_ratio: Number(c8.ratio.toFixed(3)),
        p1_min_ratio: Number(c8.ratio.toFixed(3)),
        p2_p50_ms: Number(p1.p50AddedMs.toFixed(2)),
        p2_p99_ms: Number(p1.p99AddedMs.toFixed(2)),
        ...p7.figures,
        ...p8.figures,
        ...p11.figures,
        ...designsRun.figures,
        ...p9.figures,
        model: { scale, limitPerSecond: limit, commitMs: front.options.commitMs, awsProjectionPerSecond: 1000 },
        p1: {
          perConcurrency: p1.perConcurrency.map((c) => ({ concurrency: c.concurrency, service: median(c.service), raw: median(c.raw), ratio: c.ratio })),
          errors: p1.errors,
          rawConflicts: p1.rawConflicts,
        },
        p7: rows,
        p8: p8.detail,
        p11: p11.detail,
        designs: designsRun.detail,
        load: loadavg().map((n) => Number(n.toFixed(2))),
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
      log(`T = ${commitMs} ms (a transaction holds its items ${commitMs / scale} ms at scale ${scale}, ${commitMs / P8_SCALE} ms in P8)`);
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
    const file = resultsFile;
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
    for (const t of backgrounds) t.stopped = true;
    await stack.stop();
    await ddb.stop();
  }
}

/**
 * How often the stream consumer runs on a stream shard's records at full scale, ms: "Lambda polls
 * shards in your DynamoDB stream for records at a base rate of 4 times per second" (AWS Lambda
 * Developer Guide, "Using AWS Lambda with Amazon DynamoDB", polling and batching streams). Scaled
 * like a hold (÷ scale): at scale 0.01 the consumer runs every 25 s, so whatever waits for it (an
 * escrow entry its taker left, a rebalance) waits as long, relative to capacity, as on AWS.
 */
const STREAM_POLL_MS = 250;

/**
 * Put a level in hot mode through the API, then park its stock the way the stream consumer does
 * (settleHot, as the StreamConsumer function: its grants), and keep doing so every STREAM_POLL_MS ÷
 * scale while the bench runs, as the consumer would on the level's records.
 */
async function hotMode(http: Client, tenant: string, iid: string, wid: string, shards: number, scale: number) {
  await ok(http, 'POST', `/admin/inventory-items/${iid}/location-levels/${wid}`, { hot_shards: shards });
  const settle = () => runAs('StreamConsumer', () => settleHot(tenant, iid, wid));
  await settleRetried(tenant, iid, wid);
  const s = await readHot(tenant, iid, wid, shards);
  if (!s || s.parked === 0 || s.allots.some((a) => a === 0)) throw new Error('hot mode: stock not parked');
  // counted, not swallowed: P12 reports the consumer's parking errors. One settle at a time, the next
  // STREAM_POLL_MS ÷ scale after the last ended: a stream's shard is handed to one consumer invocation
  // at a time (Lambda's default ParallelizationFactor of 1), so settles of one level never overlap on AWS
  const timer = { stopped: false, done: Promise.resolve() };
  timer.done = (async () => {
    while (!timer.stopped) {
      // waited in steps, so that a stop does not wait out a whole poll
      for (let waited = 0; waited < STREAM_POLL_MS / scale && !timer.stopped; waited += 100) await new Promise((r) => setTimeout(r, 100));
      if (timer.stopped) break;
      await settle().then(
        () => void settleStats.runs++,
        (e: unknown) => {
          settleStats.errors++;
          settleStats.last = String((e as Error)?.name ?? e);
        },
      );
    }
  })();
  backgrounds.push(timer);
  return timer;
}
const backgrounds: { stopped: boolean; done: Promise<void> }[] = [];
/** Stop a level's settle loop, after the settle it is running. */
async function stopSettling(timer: { stopped: boolean; done: Promise<void> } | undefined): Promise<void> {
  if (!timer) return;
  timer.stopped = true;
  await timer.done;
}

/**
 * The consumer's settle of a hot level as a set-up or tear-down step (the first park; the last pending
 * ids made rows before the oversell check), retried while the model throttles (the table's bucket
 * after a heavy run): not a figure.
 */
async function settleRetried(tenant: string, iid: string, wid: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const t0 = performance.now();
    try {
      await runAs('StreamConsumer', () => settleHot(tenant, iid, wid));
      if (process.env.BENCH_DEBUG) console.log(`settleRetried ok attempt ${attempt} in ${(performance.now() - t0).toFixed(0)} ms`);
      return;
    } catch (err) {
      if (process.env.BENCH_DEBUG) console.log(`settleRetried ${(err as Error)?.name} attempt ${attempt} in ${(performance.now() - t0).toFixed(0)} ms`);
      if (!/Throughput|Throttl|changing too fast/.test(`${(err as Error)?.name} ${(err as Error)?.message}`) || attempt >= 60) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** The service's hot-mode design for one workload (INVENTORY_HOT_DESIGN of the service process, read on every reservation); `restore()` puts it back. */
async function useHotDesign(setEnv: ModelCtx['setEnv'], escrow: boolean | undefined) {
  // named either way, so a row measures the design it names whatever the service's default
  await setEnv({ INVENTORY_HOT_DESIGN: escrow ? 'escrow' : 'shards' });
  return { restore: () => setEnv({ INVENTORY_HOT_DESIGN: null }) };
}

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
      // 429, or 409 "changing too fast" (a set-up write meeting the last workload's background): again
      if (!/HTTP 429|HTTP 409 .*changing too fast/.test(String((err as Error).message)) || attempt >= 30) throw err;
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

// ======================================================================================
// P8 (with P12), P11 and the hot-SKU designs (issue 22 items 2 and 4)
// ======================================================================================

type Front = Awaited<ReturnType<typeof startDynamoDb>>['front'];

interface ModelCtx {
  /** The service's URL. */
  url: string;
  http: Client;
  tenant: string;
  wid: string;
  front: Front;
  bare: DynamoDBDocumentClient;
  tableName: string;
  runMs: number;
  quick: boolean;
  log: (s: string) => void;
  /** Environment variables of the service process (bench/lib/stack.ts setEnv). */
  setEnv: (env: Record<string, string | null>) => Promise<void>;
}

/** An item with one level of `stock` at `wid`, through the API. */
async function stockedLevel(http: Client, wid: string, sku: string, stock = 1_000_000_000): Promise<string> {
  const iid = (await ok(http, 'POST', '/admin/inventory-items', { sku })).body.inventory_item.id as string;
  await ok(http, 'POST', `/admin/inventory-items/${iid}/location-levels`, { location_id: wid, stocked_quantity: stock });
  return iid;
}

/** The consumer's parking (settleHot) as the bench runs it: runs and errors, counted (not swallowed). */
const settleStats = { runs: 0, errors: 0, last: '' as string };

/**
 * P12: readers of a hot level (GET item, availability, alternately) while `during` runs; a read is
 * ok when it is answered 2xx within 1 s. Reads start after the warm-up, as the measured window does.
 */
/** P12's pace: each reader sends at most one read per this many ms (4 readers: at most 200 reads/s). */
const READ_GAP_MS = 20;
async function hotReads(http: Client, iid: string, wid: string, readers: number, during: Promise<unknown>) {
  const out = { reads: 0, ok: 0, late: 0, failed: 0, statuses: {} as Record<string, number>, maxMs: 0 };
  let stop = false;
  void during.then(
    () => void (stop = true),
    () => void (stop = true),
  );
  await new Promise((r) => setTimeout(r, WARM_MS));
  await Promise.all(
    Array.from({ length: readers }, async (_, k) => {
      for (let i = k; !stop; i++) {
        const path = i % 2 ? `/admin/inventory-items/${iid}/availability?location_id=${wid}&quantity=1` : `/admin/inventory-items/${iid}`;
        const started = performance.now();
        const res = await http.request('GET', path).catch(() => ({ status: 0, ms: 0, body: undefined }));
        // at most one read per READ_GAP_MS per reader: answers shared under read load come back at
        // once, and an unpaced loop then took the machine's CPU from the reservations it measures
        await new Promise((r) => setTimeout(r, Math.max(0, READ_GAP_MS - (performance.now() - started))));
        out.reads++;
        out.statuses[res.status] = (out.statuses[res.status] ?? 0) + 1;
        out.maxMs = Math.max(out.maxMs, res.ms);
        if (res.status >= 200 && res.status <= 299 && res.ms <= 1000) out.ok++;
        else if (res.status >= 200 && res.status <= 299) out.late++;
        else out.failed++;
      }
    }),
  );
  return out;
}

/**
 * P7: one SKU's reservations/s for each design at c = 1, 8, 32, 128 (the header's list), ÷ the
 * model's single-item limit. BENCH_P7_DESIGNS=escrow (or current,shards-2,shards-4,escrow,alternative):
 * only those (a check; the results keep the best of those run).
 */
async function runP7(ctx: ModelCtx) {
  const { http, tenant, wid, front, bare, tableName, runMs, log } = ctx;
  const limit = 1000 * front.options.scale;
  /**
   * A stocked level; with `shards`, of an item whose shards 0 … shards − 1 hash to as many physical
   * partitions of the model. "2 items of write capacity" is 2 × 1,000 units/s: on AWS two hot items
   * sharing a partition do not stay so, "adaptive capacity ... rebalances your partitions such that
   * frequently accessed items don't reside on the same partition" (AWS Developer Guide, "Burst and
   * adaptive capacity"); the model hashes keys onto a new table's 4 partitions and does not split
   * them, so a collision (1 in 4 for 2 shards) would measure 1 item's capacity, not the design.
   */
  const level = async (sku: string, shards = 0) => {
    for (let attempt = 0; ; attempt++) {
      const iid = (await ok(http, 'POST', '/admin/inventory-items', { sku: attempt ? `${sku}-${attempt}` : sku })).body.inventory_item.id as string;
      const parts = new Set(Array.from({ length: shards }, (_, k) => front.partitionOf(keys.hotShard(tenant, iid, wid, k).PK)));
      if (parts.size < shards && attempt < 100) continue;
      await ok(http, 'POST', `/admin/inventory-items/${iid}/location-levels`, { location_id: wid, stocked_quantity: 1_000_000_000 });
      return iid;
    }
  };
  const rows: HotRow[] = [];
  const reserve = async (iid: string) => {
    const res = await http.request('POST', '/admin/reservations', { inventory_item_id: iid, location_id: wid, quantity: 1 });
    if (res.status !== 200 && res.status !== 201) throw new Error(`HTTP ${res.status}`);
  };
  const designs: { name: string; design: string; shards?: number; escrow?: boolean; op: (iid: string) => Promise<void> }[] = [
    { name: 'current', design: 'current (service: level + reservation row, one transaction)', op: reserve },
    { name: 'shards-2', design: 'hot mode, 2 shards (service: shard + reservation row, one transaction)', shards: 2, op: reserve },
    { name: 'shards-4', design: 'hot mode, 4 shards (service)', shards: 4, op: reserve },
    {
      name: 'escrow',
      design: 'hot mode, escrow, 2 shards (service: one conditional UpdateItem of a shard, the reservation pending in its map)',
      shards: 2,
      escrow: true,
      op: reserve,
    },
    {
      name: 'alternative',
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
  const picked = process.env.BENCH_P7_DESIGNS?.split(',');
  for (const d of designs.filter((x) => !picked || picked.includes(x.name))) {
    const iid = await level(`HOT-${rows.length}`, d.shards);
    const design = await useHotDesign(ctx.setEnv, d.escrow);
    const background = d.shards ? await hotMode(http, tenant, iid, wid, d.shards, front.options.scale) : undefined;
    let succeeded = 0;
    for (const c of HOT_CONCURRENCY) {
      await new Promise((r) => setTimeout(r, 1200)); // the partition's bucket refills between runs
      const run = await closedLoop(c, runMs, () => d.op(iid).then(() => void succeeded++));
      rows.push({ design: d.design, concurrency: c, perSecond: run.perSecond, ratio: run.perSecond / limit, errors: run.errors });
      log(
        `  P7 ${d.design.split(' ')[0]} c=${c}: ${run.perSecond.toFixed(1)}/s (${((run.perSecond / limit) * 100).toFixed(0)} % of ${limit}/s), ${run.errors} errors`,
      );
    }
    await stopSettling(background);
    if (background) await settleRetried(tenant, iid, wid); // the last pending ids become rows
    await design.restore();
    oversell[d.design.split(' (')[0]] = { reserved: await reservedShown(http, iid), succeeded };
  }
  log(`  throttled at the front so far: ${front.stats.throttled}`);
  const best = (prefix: string) => Math.max(...rows.filter((r) => r.design.startsWith(prefix)).map((r) => r.ratio));
  // only the designs run (BENCH_P7_DESIGNS): a figure of none is left out, so --only p7 keeps the file's
  const all = {
    // at most 2 items of write capacity: one level, or hot mode with 2 shards (either design)
    p7_hot_sku_model_ratio: Number(Math.max(best('current'), best('hot mode, 2'), best('hot mode, escrow, 2')).toFixed(3)),
    p7_current_model_ratio: Number(best('current').toFixed(3)),
    p7_alternative_model_ratio: Number(best('alternative').toFixed(3)),
    p7_hot_mode_2_model_ratio: Number(best('hot mode, 2').toFixed(3)),
    p7_hot_mode_4_model_ratio: Number(best('hot mode, 4').toFixed(3)),
    p7_hot_mode_escrow_2_model_ratio: Number(best('hot mode, escrow, 2').toFixed(3)),
  };
  const figures = Object.fromEntries(Object.entries(all).filter(([, v]) => Number.isFinite(v)));
  return { rows, designs, oversell, figures, detail: rows };
}

/** P8's model scale and the length of each of its runs (the header says why). */
const P8_SCALE = 0.01;
const P8_RUN_MS = { quick: 4000, full: 8000 };
/** P8's warm throughput (and table quota), write and read units/s: twice the default quota (runP8 says why). */
const P8_WARM = 80_000;
/** P8 at scale P8_SCALE with P12's readers during the hot-mode runs; then the end of stock. */
async function runP8(ctx: ModelCtx) {
  const { http, tenant, wid, front, log } = ctx;
  const runMs = ctx.quick ? P8_RUN_MS.quick : P8_RUN_MS.full;
  const scale = front.options.scale;
  const p8Scale = P8_SCALE;
  const p8Limit = 1000 * p8Scale;
  const saved = { warmWrites: front.options.warmWrites, warmReads: front.options.warmReads, tableQuota: front.options.tableQuota };
  front.options.scale = p8Scale;
  // the table warmed to P8_WARM units/s (800/s at this scale): goal 5 is 5,000 reservations/s on AWS,
  // past a new table's 4,000 write units/s, and at about 7 write units each (measured below) past the
  // default 40,000 quota too, which AWS raises on request (Service Quotas, "Table-level write
  // throughput"); docs/runbook.md "Before a sale". BENCH_P8_WARM=40000 measures at the default quota.
  const warm = Number(process.env.BENCH_P8_WARM ?? P8_WARM);
  front.options.warmWrites = warm;
  front.options.warmReads = warm;
  front.options.tableQuota = Math.max(warm, front.options.tableQuota);
  const rows: HotRow[] = [];
  const oversell: Record<string, { reserved: number; succeeded: number }> = {};
  const units: Record<string, { table: number; indexes: number; by: Record<string, number> }> = {};
  const reads = { reads: 0, ok: 0, late: 0, failed: 0, statuses: {} as Record<string, number>, maxMs: 0 };
  Object.assign(settleStats, { runs: 0, errors: 0, last: '' });
  const reserveAt = async (iid: string) => {
    const res = await http.request('POST', '/admin/reservations', { inventory_item_id: iid, location_id: wid, quantity: 1 });
    if (res.status !== 200 && res.status !== 201) throw new Error(`HTTP ${res.status}`);
  };
  const designs = [
    { name: 'one', design: 'current (one level item)', shards: 0 },
    { name: 'shards', design: 'hot mode, 32 shards', shards: 32 },
    { name: 'escrow', design: 'hot mode, escrow, 32 shards', shards: 32, escrow: true },
  ];
  // BENCH_P8_DESIGNS=escrow (or one,shards,escrow): measure only these (a check; the results keep the best of those run)
  const picked = process.env.BENCH_P8_DESIGNS?.split(',');
  for (const d of designs.filter((x) => !picked || picked.includes(x.name))) {
    const iid = await stockedLevel(http, wid, `P8-${rows.length}-${uniq()}`);
    const design = await useHotDesign(ctx.setEnv, d.escrow);
    const background = d.shards ? await hotMode(http, tenant, iid, wid, d.shards, front.options.scale) : undefined;
    let succeeded = 0;
    const unitsBefore = { all: front.stats.writeUnits, index: front.stats.indexWriteUnits, by: new Map(front.stats.writeUnitsBy) };
    for (const c of [8, 32, 128]) {
      await new Promise((r) => setTimeout(r, 1200));
      const loop = closedLoop(c, runMs, () => reserveAt(iid).then(() => void succeeded++));
      const r = d.shards ? await hotReads(http, iid, wid, 4, loop) : undefined;
      const run = await loop;
      if (r) {
        for (const k of ['reads', 'ok', 'late', 'failed'] as const) reads[k] += r[k];
        for (const [s, n] of Object.entries(r.statuses)) reads.statuses[s] = (reads.statuses[s] ?? 0) + n;
        reads.maxMs = Math.max(reads.maxMs, r.maxMs);
      }
      rows.push({ design: d.design, concurrency: c, perSecond: run.perSecond, ratio: run.perSecond / p8Limit, errors: run.errors });
      log(
        `  P8 ${d.design} c=${c}: ${run.perSecond.toFixed(1)}/s (${(run.perSecond / p8Limit).toFixed(2)} × ${p8Limit}/s), ${run.errors} errors` +
          (r ? `; P12 reads ${r.ok}/${r.reads} 2xx within 1 s (max ${r.maxMs.toFixed(0)} ms)` : ''),
      );
    }
    await stopSettling(background);
    if (background) await settleRetried(tenant, iid, wid); // the last pending ids become rows
    await design.restore();
    // write units per accepted reservation (table + indexes, the consumer's parking and rows included;
    // the readers' reads are not writes), from the front's charges by item size
    const all = front.stats.writeUnits - unitsBefore.all;
    const index = front.stats.indexWriteUnits - unitsBefore.index;
    const per = (u: number) => Number((u / Math.max(1, succeeded)).toFixed(2));
    const by = Object.fromEntries(
      [...front.stats.writeUnitsBy]
        .map(([who, u]) => [who.replace('\t', ' '), per(u - (unitsBefore.by.get(who) ?? 0))] as const)
        .filter(([, u]) => u >= 0.01)
        .sort((a, b) => b[1] - a[1]),
    );
    units[d.name] = { table: per(all - index), indexes: per(index), by };
    log(`  P8 ${d.design}: write units per reservation: table ${units[d.name].table}, indexes ${units[d.name].indexes}; by ${JSON.stringify(by)}`);
    oversell[`P8 ${d.design}`] = { reserved: await reservedShown(http, iid), succeeded };
    log(`  P8 ${d.design}: shown reserved ${oversell[`P8 ${d.design}`].reserved}, accepted ${succeeded} (oversell check)`);
  }
  const settle = { ...settleStats };
  // end of stock in hot mode: 128 callers reserve 1 at a time until refused; exactly the stock goes
  const endStock = 300;
  const endIid = await stockedLevel(http, wid, `P8-END-${uniq()}`, endStock);
  const endBackground = await hotMode(http, tenant, endIid, wid, 32, front.options.scale);
  let endOk = 0;
  let endOther = 0;
  await Promise.all(
    Array.from({ length: 128 }, async () => {
      for (;;) {
        const res = await http.request('POST', '/admin/reservations', { inventory_item_id: endIid, location_id: wid, quantity: 1 });
        if (res.status === 200 || res.status === 201) endOk++;
        else if (res.body?.code === 'INSUFFICIENT_STOCK') return;
        else {
          // throttled or contention: the caller tries again, after the answer's Retry-After (a 429's
          // 1 s, jittered) or a moment (a 409's "retry the request"), as a client should
          endOther++;
          if (process.env.BENCH_DEBUG && endOther % 500 === 0)
            log(`    end of stock: ${endOk} reserved, ${endOther} answers retried (last ${res.status} ${JSON.stringify(res.body).slice(0, 80)})`);
          await new Promise((r) => setTimeout(r, (res.retryAfter ? res.retryAfter * 1000 : 50) * (0.5 + Math.random())));
        }
      }
    }),
  );
  await stopSettling(endBackground);
  const endLevel = (await readSettled(http, `/admin/inventory-items/${endIid}`)).body.inventory_item.location_levels[0];
  const end = {
    stock: endStock,
    succeeded: endOk,
    retriedAnswers: endOther,
    reserved: Number(endLevel.reserved_quantity),
    available: Number(endLevel.available_quantity),
  };
  log(
    `  P8 end of stock (32 shards, 128 callers): ${endOk} of ${endStock} reserved, shown reserved ${end.reserved}, available ${end.available}; ${endOther} answers retried`,
  );
  log(
    `  P12: ${reads.ok} of ${reads.reads} hot-level reads 2xx within 1 s; the consumer's parking: ${settle.runs} runs, ${settle.errors} errors ${settle.last}`,
  );
  front.options.scale = scale;
  Object.assign(front.options, saved);
  const best = (prefix: string) => Math.max(...rows.filter((r) => r.design.startsWith(prefix)).map((r) => r.ratio));
  return {
    figures: {
      p8_hot_mode_ratio: Number(best('hot mode').toFixed(3)),
      p8_hot_mode_shards_ratio: Number(best('hot mode, 32').toFixed(3)),
      p8_hot_mode_escrow_ratio: Number(best('hot mode, escrow').toFixed(3)),
      p8_current_ratio: Number(best('current').toFixed(3)),
      p12_hot_read_ok: Number((reads.reads ? reads.ok / reads.reads : 0).toFixed(4)),
      p12_settle_errors: settle.errors,
    },
    detail: {
      scale: p8Scale,
      limitPerSecond: p8Limit,
      awsProjectionPerSecond: 1000,
      warmThroughput: warm,
      writeUnitsPerReservation: units,
      rows,
      endOfStock: end,
      p12: { ...reads, settle },
    },
    oversell,
    rows,
    p8Scale,
    p8Limit,
  };
}

/**
 * P11: one tenant, 64 SKUs over 4 warehouses (one level each), 128 callers, each call a reservation
 * of 1 or a stock adjustment of +1 on a random one of them, ÷ the single-partition limit, at model
 * scale 0.02 with the table's warm throughput at the 40,000 quota (800 units/s at this scale: a new
 * table's 80/s would be the limit, not the partitions). Throttles counted per bucket: any on an
 * index partition is reported; and the entries written to warehouse- or tenant-wide index partitions.
 */
const P11_STOCK = 1_000_000;
async function runP11(ctx: ModelCtx) {
  const { front, runMs, log } = ctx;
  const saved = { scale: front.options.scale, warmWrites: front.options.warmWrites, warmReads: front.options.warmReads };
  const p11Scale = 0.02;
  const limit = 1000 * p11Scale;
  const tenant = newTenant('p11');
  const key = await makeKey(tenant);
  const c = client(ctx.url, key, 256);
  try {
    const whs: string[] = [];
    for (let w = 0; w < 4; w++) whs.push((await ok(c, 'POST', '/api/warehouses', { name: `P11-${w}` })).body.data.id as string);
    const levels: { iid: string; wid: string }[] = [];
    for (let i = 0; i < 64; i++) {
      const wid = whs[i % 4];
      levels.push({ iid: await stockedLevel(c, wid, `P11-${String(i).padStart(2, '0')}`, P11_STOCK), wid }); // room for +1s below the 10⁹ maximum
    }
    front.options.scale = p11Scale;
    front.options.warmWrites = TABLE_QUOTA;
    front.options.warmReads = TABLE_QUOTA;
    await new Promise((r) => setTimeout(r, 1200));
    const throttledBefore = new Map(front.stats.throttledBuckets);
    const writesBefore = new Map(front.stats.indexWrites);
    const done = { reserve: 0, adjust: 0 };
    const refused: Record<string, number> = {};
    const refusedBody: Record<string, string> = {};
    const refuse = (what: string, res: { status: number; body?: unknown }) => {
      const k = `${what} ${res.status} ${(res.body as { code?: string } | undefined)?.code ?? ''}`.trim();
      refused[k] = (refused[k] ?? 0) + 1;
      refusedBody[k] ??= JSON.stringify(res.body).slice(0, 300);
      return new Error(k);
    };
    const run = await closedLoop(128, runMs * 2, async () => {
      const l = levels[Math.floor(Math.random() * levels.length)];
      if (Math.random() < 0.5) {
        const res = await c.request('POST', '/admin/reservations', { inventory_item_id: l.iid, location_id: l.wid, quantity: 1 });
        if (res.status !== 200 && res.status !== 201) throw refuse('reserve', res);
        done.reserve++;
      } else {
        const res = await c.request('POST', `/admin/inventory-items/${l.iid}/location-levels/${l.wid}/adjust`, { adjustment: 1, reason: 'supplier_receipt' });
        if (res.status !== 200 && res.status !== 201) throw refuse('adjust', res);
        done.adjust++;
      }
    });
    const throttled: Record<string, number> = {};
    for (const [b, n] of front.stats.throttledBuckets) {
      const d = n - (throttledBefore.get(b) ?? 0);
      if (d > 0) throttled[b] = d;
    }
    const indexThrottles = Object.entries(throttled)
      .filter(([b]) => b.includes('/'))
      .reduce((a, [, n]) => a + n, 0);
    const sharedWrites = [...front.stats.indexWrites]
      .filter(([k]) => k.includes(`T#${tenant}#`) && /#(LOC#[^\t]+|SKUS|LOW|ITEMS|WHS)$/.test(k))
      .map(([k, n]) => [k, n - (writesBefore.get(k) ?? 0)] as const)
      .filter(([, n]) => n > 0);
    front.options.scale = saved.scale;
    // oversell / lost updates: the levels' reserved and stocked figures against what succeeded (all of it, warm-up included)
    let reserved = 0;
    let stocked = 0;
    for (const l of levels) {
      const lv = (await readSettled(c, `/admin/inventory-items/${l.iid}`)).body.inventory_item.location_levels[0];
      reserved += Number(lv.reserved_quantity);
      stocked += Number(lv.stocked_quantity) - P11_STOCK;
    }
    log(
      `  P11 64 SKUs × 4 warehouses, c=128: ${run.perSecond.toFixed(1)}/s (${(run.perSecond / limit).toFixed(2)} × ${limit}/s), ${run.errors} errors; ` +
        `index-partition throttles ${indexThrottles}, entries on warehouse/tenant-wide partitions ${sharedWrites.length}; ` +
        `reserved ${reserved} (made ${done.reserve}), stocked +${stocked} (made ${done.adjust}); refused ${JSON.stringify(refused)}`,
    );
    return {
      figures: {
        p11_tenant_ratio: Number((run.perSecond / limit).toFixed(3)),
        p11_index_throttles: indexThrottles,
        p11_shared_index_writes: sharedWrites.length,
      },
      detail: {
        scale: p11Scale,
        limitPerSecond: limit,
        warmWriteUnits: TABLE_QUOTA,
        perSecond: run.perSecond,
        errors: run.errors,
        refused,
        refusedBody,
        throttledBuckets: throttled,
        sharedIndexWrites: Object.fromEntries(sharedWrites),
        check: { reservationsMade: done.reserve, reservedShown: reserved, adjustmentsMade: done.adjust, stockedAdded: stocked },
      },
    };
  } finally {
    Object.assign(front.options, saved);
    c.close();
  }
}

/** A client of the table as `admin` (no function's grants), the SDK's retries up to 10 attempts. */
function bareClient(endpoint: string) {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'admin', secretAccessKey: 'x' }, maxAttempts: 10 }),
  );
}

/** FNV-1a of an id, mod n: the shard a map design keeps the id's claim on. */
function shardOfId(id: string, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h % n;
}

const uniq = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/**
 * Item 2: hot-SKU reservation designs side by side, bare clients on one SKU at the P7 scale (each
 * ÷ the single-item limit), every one with an exactly-once check (a tenth of the requests is sent a
 * second time with the same reservation id, as a client retrying a lost answer: it must be answered
 * as a replay and change nothing) and an oversell check (units taken = distinct reservations
 * accepted = reservation rows written):
 *
 * - `tx-shards`: today's hot mode — a TransactWriteItems of a shard's guarded `allot − q` and the
 *   reservation row (`attribute_not_exists`: the row is the claim), on one of 4 shards at random;
 * - `map-1`: one item, one conditional UpdateItem that takes the units and records the reservation
 *   id in a bounded map of pending ids (`attribute_not_exists(pending.<id>)`: the id is the claim);
 *   a materialiser (the stream consumer's part: every STREAM_POLL_MS ÷ scale) writes each pending id's row
 *   (`attribute_not_exists`) and then removes the ids it wrote in one conditional UpdateItem;
 * - `map-4`: the same on 4 escrow shards (plain conditional updates, no transaction), the shard the
 *   id's hash names (a retry must find its own claim: with a shard at random, a retry on another
 *   shard took units twice — 23 times in the first run).
 *
 * A retry whose id is no longer pending reads the row (a replay when it exists). The materialiser
 * keeps an id in the map `GRACE` after writing its row, longer than a request lives (the function's
 * timeout in the service), so no retry can find neither the id nor the row.
 */
async function runDesigns(ctx: ModelCtx) {
  const { tenant, front, bare, tableName, runMs, log } = ctx;
  const scale = front.options.scale;
  const limit = 1000 * scale;
  const MAP_BOUND = 256;
  const EVERY_MS = STREAM_POLL_MS / scale;
  // longer than any bench request lives (the service's bound would be its function's timeout, 10–30 s: see docs/benchmarks.md)
  const GRACE_MS = 2000;
  const rows: HotRow[] = [];
  const checks: Record<string, Record<string, number>> = {};
  const rowKey = (rid: string) => ({ PK: `T#${tenant}#BR#${rid}`, SK: 'RES' });
  const isCondFail = (e: unknown) => (e as Error)?.name === 'ConditionalCheckFailedException';
  const cancelledBy = (e: unknown, code: string) =>
    (e as { name?: string; CancellationReasons?: { Code?: string }[] })?.name === 'TransactionCanceledException' &&
    !!(e as { CancellationReasons?: { Code?: string }[] }).CancellationReasons?.some((r) => r.Code === code);
  const rowExists = async (rid: string) => !!(await bare.send(new GetCommand({ TableName: tableName, Key: rowKey(rid), ConsistentRead: true }))).Item;

  for (const d of [
    { design: 'tx-shards: 4 shards, shard + reservation row in one transaction (today)', shards: 4, map: false },
    { design: 'map-1: one item, conditional UpdateItem with a bounded map of pending ids', shards: 1, map: true },
    { design: 'map-4: 4 escrow shards, conditional UpdateItem with a map each', shards: 4, map: true },
  ]) {
    const tag = uniq();
    const shardKey = (k: number) => ({ PK: `T#${tenant}#BH#${tag}#${k}`, SK: 'HOT' });
    const START = 1_000_000_000;
    for (let k = 0; k < d.shards; k++)
      await bare.send(new PutCommand({ TableName: tableName, Item: { ...shardKey(k), allot: START, ...(d.map ? { pending: {}, npend: 0 } : {}) } }));
    const accepted = new Set<string>();
    const stats = { replays: 0, doubled: 0, full: 0, materialised: 0, materialiseErrors: 0 };
    // the materialiser: pending ids → rows, then removed (after the grace) in one conditional update per shard
    const written = new Map<string, number>(); // rid → when its row was written
    let materialising = false;
    const materialise = async () => {
      if (materialising) return;
      materialising = true;
      try {
        for (let k = 0; k < d.shards; k++) {
          const item = (await bare.send(new GetCommand({ TableName: tableName, Key: shardKey(k), ConsistentRead: true }))).Item;
          const pending = Object.keys((item?.pending ?? {}) as Record<string, number>);
          for (const rid of pending) {
            if (written.has(rid)) continue;
            await bare
              .send(
                new PutCommand({
                  TableName: tableName,
                  Item: { ...rowKey(rid), id: rid, quantity: (item!.pending as Record<string, number>)[rid] },
                  ConditionExpression: 'attribute_not_exists(PK)',
                }),
              )
              .catch((e) => {
                if (!isCondFail(e)) throw e;
              });
            written.set(rid, Date.now());
            stats.materialised++;
          }
          const old = pending.filter((rid) => Date.now() - (written.get(rid) ?? Date.now()) >= GRACE_MS).slice(0, 50);
          if (old.length) {
            const names = Object.fromEntries(old.map((rid, i) => [`#r${i}`, rid]));
            await bare.send(
              new UpdateCommand({
                TableName: tableName,
                Key: shardKey(k),
                UpdateExpression: `REMOVE ${old.map((_, i) => `pending.#r${i}`).join(', ')} ADD npend :minus`,
                ConditionExpression: old.map((_, i) => `attribute_exists(pending.#r${i})`).join(' AND '),
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: { ':minus': -old.length },
              }),
            );
            for (const rid of old) written.delete(rid);
          }
        }
      } catch {
        stats.materialiseErrors++;
      } finally {
        materialising = false;
      }
    };
    const timer = d.map ? setInterval(() => void materialise(), EVERY_MS) : undefined;
    timer?.unref();

    /** One reservation of 1 with this id; true when it took units now, false when it was a replay. */
    const attempt = async (rid: string, retry = false): Promise<boolean> => {
      // a retry asks for the row first: an id materialised and out of the map after the grace is still a replay
      if (retry && d.map && (await rowExists(rid))) return false;
      // the map's shard is the id's (a retry must meet its own claim); a transaction's row is the claim wherever the units come from
      const k = d.map ? shardOfId(rid, d.shards) : Math.floor(Math.random() * d.shards);
      if (!d.map) {
        try {
          await bare.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Update: {
                    TableName: tableName,
                    Key: shardKey(k),
                    UpdateExpression: 'SET allot = allot - :q',
                    ConditionExpression: 'allot >= :q',
                    ExpressionAttributeValues: { ':q': 1 },
                  },
                },
                { Put: { TableName: tableName, Item: { ...rowKey(rid), id: rid, quantity: 1 }, ConditionExpression: 'attribute_not_exists(PK)' } },
              ],
            }),
          );
          return true;
        } catch (e) {
          if (cancelledBy(e, 'ConditionalCheckFailed') && (await rowExists(rid))) return false;
          throw e;
        }
      }
      try {
        await bare.send(
          new UpdateCommand({
            TableName: tableName,
            Key: shardKey(k),
            UpdateExpression: 'SET allot = allot - :q, pending.#r = :q ADD npend :one',
            ConditionExpression: 'allot >= :q AND attribute_not_exists(pending.#r) AND npend < :max',
            ExpressionAttributeNames: { '#r': rid },
            ExpressionAttributeValues: { ':q': 1, ':one': 1, ':max': MAP_BOUND },
          }),
        );
        return true;
      } catch (e) {
        if (!isCondFail(e)) throw e;
        // pending on its shard, or materialised: a replay
        const item = (await bare.send(new GetCommand({ TableName: tableName, Key: shardKey(k), ConsistentRead: true }))).Item;
        if ((item?.pending as Record<string, number> | undefined)?.[rid] !== undefined) return false;
        if (await rowExists(rid)) return false;
        stats.full++;
        throw e; // the map is full (or the shard empty): the caller tries again
      }
    };
    const op = async () => {
      const rid = uniq() + Math.random().toString(36).slice(2, 8);
      if (await attempt(rid)) accepted.add(rid);
      if (Math.random() < 0.1) {
        // a retry of the same request (its answer lost): a replay, never a second reservation
        const again = await attempt(rid, true).catch(() => undefined);
        if (again === true) stats.doubled++;
        else if (again === false) stats.replays++;
      }
    };
    for (const c of [8, 32, 128]) {
      await new Promise((r) => setTimeout(r, 1200));
      const run = await closedLoop(c, runMs, op);
      rows.push({ design: d.design, concurrency: c, perSecond: run.perSecond, ratio: run.perSecond / limit, errors: run.errors });
      log(
        `  design ${d.design.split(':')[0]} c=${c}: ${run.perSecond.toFixed(1)}/s (${(run.perSecond / limit).toFixed(2)} of ${limit}/s), ${run.errors} errors`,
      );
    }
    // settle: every pending id materialised, then the checks
    if (timer) {
      clearInterval(timer);
      for (let i = 0; i < 50; i++) {
        await materialise();
        let left = 0;
        for (let k = 0; k < d.shards; k++) {
          const item = (await bare.send(new GetCommand({ TableName: tableName, Key: shardKey(k), ConsistentRead: true }))).Item;
          left += Object.keys((item?.pending ?? {}) as object).filter((rid) => !written.has(rid)).length;
        }
        if (!left) break;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    let taken = 0;
    for (let k = 0; k < d.shards; k++)
      taken += START - Number((await bare.send(new GetCommand({ TableName: tableName, Key: shardKey(k), ConsistentRead: true }))).Item?.allot);
    const ids = [...accepted];
    let rowsFound = 0;
    for (let i = 0; i < ids.length; i += 100) {
      const res = await bare.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: ids.slice(i, i + 100).map(rowKey), ConsistentRead: true } } }));
      rowsFound += res.Responses?.[tableName]?.length ?? 0;
    }
    const name = d.design.split(':')[0];
    checks[name] = { accepted: accepted.size, unitsTaken: taken, rows: rowsFound, ...stats };
    log(
      `  design ${name}: accepted ${accepted.size}, units taken ${taken}, rows ${rowsFound}; retries answered as replays ${stats.replays}, doubled ${stats.doubled}; map full ${stats.full}; materialiser errors ${stats.materialiseErrors}`,
    );
  }
  const best = (prefix: string) => Math.max(...rows.filter((r) => r.design.startsWith(prefix)).map((r) => r.ratio));
  const oversell = Object.values(checks).reduce((a, c) => a + Math.max(0, c.unitsTaken - c.accepted) + c.doubled + Math.abs(c.rows - c.accepted), 0);
  return {
    figures: {
      p7_design_tx_shards_ratio: Number(best('tx-shards').toFixed(3)),
      p7_design_map_1_ratio: Number(best('map-1').toFixed(3)),
      p7_design_map_4_ratio: Number(best('map-4').toFixed(3)),
      p7_design_violations: oversell,
    },
    detail: { scale, limitPerSecond: limit, mapBound: MAP_BOUND, materialiseEveryMs: EVERY_MS, graceMs: GRACE_MS, rows, checks },
  };
}
