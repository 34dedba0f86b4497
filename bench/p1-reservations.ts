/**
 * P1 and P2: hot-SKU reservations.
 *
 * Service: POST /admin/reservations {inventory_item_id, location_id, quantity: 1} over HTTP
 * (keep-alive), through the authorizer and the handler to DynamoDB, every caller on the same level.
 * Raw baseline: the reserve transaction itself — the level's guarded `reserved += 1, available −= 1`
 * and the reservation's Put, with the keys and conditions of functions/store/reservations.ts — sent
 * with TransactWriteItems from a bare SDK client in this process, on the same level.
 *
 * Each round runs, per concurrency (1, 8, 32), the service and the baseline for the same time back to
 * back (in alternating order); a round's ratio is service ÷ raw reservations per second, the figure
 * is the median of the rounds' ratios. P2 is read from the concurrency-1 runs: per round, the
 * service's latency percentile minus the raw call's, and the median of that over the rounds.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { newId } from '../functions/core/ids.ts';
import type { Reservation } from '../functions/core/model.ts';
import { keys } from '../functions/store/keys.ts';
import { client, ok } from './lib/http.ts';
import type { Client } from './lib/http.ts';
import { makeKey, newTenant } from './lib/seed.ts';
import type { CpuTimes, Stack } from './lib/stack.ts';
import { median, medianRatio, percentile } from './lib/stats.ts';

export const CONCURRENCY = [1, 8, 32] as const;

export interface P1Options {
  rounds: number;
  /** Length of one measured run (one side, one concurrency), ms. */
  runMs: number;
  /** Warm-up: at least min, then until the raw rate is steady, at most max (ms). */
  warmupMinMs: number;
  warmupMaxMs: number;
}

interface Run {
  ops: number;
  errors: number;
  perSecond: number;
  latencies: number[];
  cpu: CpuTimes;
  /** Service runs: DynamoDB requests its functions sent (counted at the client). */
  requests?: Record<string, number>;
}

export interface P1Result {
  perConcurrency: { concurrency: number; service: number[]; raw: number[]; ratio: number }[];
  /** Service's added latency at concurrency 1, ms (median over rounds of service − raw), and each round's. */
  p50AddedMs: number;
  p99AddedMs: number;
  p50AddedRounds: number[];
  p99AddedRounds: number[];
  p50: { service: number; raw: number };
  p99: { service: number; raw: number };
  /** CPU ms per reservation by process, at concurrency 8, summed over rounds. */
  cpuPerOp: { service: CpuTimes; raw: CpuTimes };
  /** DynamoDB requests per service reservation, by command (concurrency 8). */
  requestsPerOp: Record<string, number>;
  errors: number;
  /** Raw transactions DynamoDB cancelled for contention (retried). */
  rawConflicts: number;
}

/** A hot level to reserve against: one warehouse, one item, a billion in stock. */
async function hotLevel(http: Client) {
  const wh = await ok(http, 'POST', '/api/warehouses', { name: 'Hot warehouse' });
  const item = await ok(http, 'POST', '/admin/inventory-items', { sku: 'HOT-1', title: 'The hot SKU' });
  const wid: string = wh.body.data.id;
  const iid: string = item.body.inventory_item.id;
  await ok(http, 'POST', `/admin/inventory-items/${iid}/location-levels`, { location_id: wid, stocked_quantity: 1_000_000_000 });
  return { iid, wid };
}

/** The same two-item transaction createReservation sends (store/reservations.ts: take() and the reservation Put). */
function reserveTransaction(tableName: string, tenant: string, iid: string, wid: string): TransactWriteCommandInput {
  const now = new Date().toISOString();
  const r: Reservation = {
    id: newId('res'),
    inventory_item_id: iid,
    location_id: wid,
    quantity: 1,
    line_item_id: null,
    description: null,
    metadata: null,
    expires_at: null,
    created_by: 'bench',
    created_at: now,
    updated_at: now,
  };
  return {
    TransactItems: [
      {
        Update: {
          TableName: tableName,
          Key: keys.level(tenant, iid, wid),
          UpdateExpression: 'SET reserved_quantity = reserved_quantity + :q, available_quantity = available_quantity - :q, updated_at = :now',
          ConditionExpression: 'attribute_exists(PK) AND available_quantity >= :min',
          ExpressionAttributeValues: { ':q': 1, ':now': now, ':min': 1 },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        Put: {
          TableName: tableName,
          Item: { ...keys.reservation(tenant, r.id), ...keys.reservationIndex(tenant, iid, r.id), entity: 'reservation', ...r },
          ConditionExpression: 'attribute_not_exists(PK)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    ],
  };
}

/** `concurrency` callers each doing `op` back to back until `ms` have passed. */
async function closedLoop(stack: Stack, concurrency: number, ms: number, op: () => Promise<number>): Promise<Omit<Run, 'requests'>> {
  const latencies: number[] = [];
  let errors = 0;
  const cpu0 = stack.cpu();
  const t0 = performance.now();
  const deadline = t0 + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        try {
          latencies.push(await op());
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = performance.now() - t0;
  const cpu1 = stack.cpu();
  return {
    ops: latencies.length,
    errors,
    perSecond: (latencies.length / elapsed) * 1000,
    latencies,
    cpu: { dynamodb: cpu1.dynamodb - cpu0.dynamodb, service: cpu1.service - cpu0.service, bench: cpu1.bench - cpu0.bench },
  };
}

/** Alternate half-second blocks of service and raw load at c=8 until the last four raw rates agree within 25 %. */
async function warmUp(stack: Stack, serviceOp: () => Promise<number>, rawOp: () => Promise<number>, opts: P1Options) {
  const rates: number[] = [];
  const t0 = performance.now();
  for (;;) {
    await closedLoop(stack, 8, 500, serviceOp);
    rates.push((await closedLoop(stack, 8, 500, rawOp)).perSecond);
    const ms = performance.now() - t0;
    const last = rates.slice(-4);
    const steady = last.length === 4 && (Math.max(...last) - Math.min(...last)) / median(last) < 0.25;
    if ((steady && ms >= opts.warmupMinMs) || ms >= opts.warmupMaxMs) return { ms, steady, rate: median(last) };
  }
}

export async function runP1(stack: Stack, opts: P1Options, log: (s: string) => void): Promise<P1Result> {
  const tenant = newTenant('hot');
  const key = await makeKey(tenant);
  const http = client(stack.url, key, Math.max(...CONCURRENCY));
  const { iid, wid } = await hotLevel(http);

  const bare = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: stack.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 4 }),
  );
  let rawConflicts = 0;
  const rawOp = async () => {
    const t0 = performance.now();
    for (;;) {
      try {
        await bare.send(new TransactWriteCommand(reserveTransaction(stack.tableName, tenant, iid, wid)));
        return performance.now() - t0;
      } catch (err) {
        // contention on the hot item: retried, as the service retries it
        if ((err as Error).name !== 'TransactionCanceledException') throw err;
        rawConflicts++;
      }
    }
  };
  const serviceOp = async () => {
    const res = await http.request('POST', '/admin/reservations', { inventory_item_id: iid, location_id: wid, quantity: 1 });
    if (res.status < 200 || res.status > 299) throw new Error(`HTTP ${res.status} ${JSON.stringify(res.body)}`);
    return res.ms;
  };
  const serviceRun = async (c: number): Promise<Run> => {
    await stack.resetCounters();
    const run = await closedLoop(stack, c, opts.runMs, serviceOp);
    return { ...run, requests: (await stack.readCounters()).commands };
  };

  // warm-up: JIT of the JVM and of both Node processes, sockets open. DynamoDB Local's transaction
  // path takes 10–20 s of load to reach its speed, so warm until the raw rate stops moving.
  const warm = await warmUp(stack, serviceOp, rawOp, opts);
  log(`  warm-up ${(warm.ms / 1000).toFixed(1)} s${warm.steady ? '' : ' (cut at the limit, not yet steady)'}; raw rate ${warm.rate.toFixed(0)}/s at c=8`);

  const service = new Map<number, Run[]>(CONCURRENCY.map((c) => [c, []]));
  const raw = new Map<number, Run[]>(CONCURRENCY.map((c) => [c, []]));
  for (let r = 0; r < opts.rounds; r++) {
    for (const c of CONCURRENCY) {
      // alternate which side goes first, so a drift of the machine's speed does not favour one
      if (r % 2 === 0) {
        service.get(c)!.push(await serviceRun(c));
        raw.get(c)!.push(await closedLoop(stack, c, opts.runMs, rawOp));
      } else {
        raw.get(c)!.push(await closedLoop(stack, c, opts.runMs, rawOp));
        service.get(c)!.push(await serviceRun(c));
      }
    }
    const line = CONCURRENCY.map((c) => `c=${c} ${service.get(c)!.at(-1)!.perSecond.toFixed(0)}/${raw.get(c)!.at(-1)!.perSecond.toFixed(0)}`).join('  ');
    log(`  round ${r + 1}/${opts.rounds}: reservations/s service/raw  ${line}`);
  }
  bare.destroy();
  http.close();

  const perSecond = (runs: Run[]) => runs.map((x) => x.perSecond);
  const pct = (runs: Run[], p: number) => runs.map((x) => percentile(x.latencies, p));
  const s1 = service.get(1)!;
  const r1 = raw.get(1)!;
  const addedRounds = (p: number) => pct(s1, p).map((x, i) => x - pct(r1, p)[i]);
  const sumCpu = (runs: Run[]): CpuTimes => {
    const ops = runs.reduce((n, x) => n + x.ops, 0);
    const total = (f: keyof CpuTimes) => runs.reduce((n, x) => n + x.cpu[f], 0) / ops;
    return { dynamodb: total('dynamodb'), service: total('service'), bench: total('bench') };
  };
  const s8 = service.get(8)!;
  const ops8 = s8.reduce((n, x) => n + x.ops, 0);
  const requestsPerOp: Record<string, number> = {};
  for (const run of s8) for (const [k, v] of Object.entries(run.requests ?? {})) requestsPerOp[k] = (requestsPerOp[k] ?? 0) + v / ops8;

  return {
    perConcurrency: CONCURRENCY.map((c) => ({
      concurrency: c,
      service: perSecond(service.get(c)!),
      raw: perSecond(raw.get(c)!),
      ratio: medianRatio(perSecond(service.get(c)!), perSecond(raw.get(c)!)),
    })),
    p50AddedMs: median(addedRounds(50)),
    p99AddedMs: median(addedRounds(99)),
    p50AddedRounds: addedRounds(50),
    p99AddedRounds: addedRounds(99),
    p50: { service: median(pct(s1, 50)), raw: median(pct(r1, 50)) },
    p99: { service: median(pct(s1, 99)), raw: median(pct(r1, 99)) },
    cpuPerOp: { service: sumCpu(s8), raw: sumCpu(raw.get(8)!) },
    requestsPerOp,
    errors: [...service.values(), ...raw.values()].flat().reduce((n, x) => n + x.errors, 0),
    rawConflicts,
  };
}

/** A service-only load at concurrency 8 on a fresh hot level, for the profiler (set up and warmed before it returns). */
export async function p1ProfileLoad(stack: Stack, ms: number): Promise<() => Promise<number>> {
  const http = client(stack.url, await makeKey(newTenant('hotprof')), 8);
  const { iid, wid } = await hotLevel(http);
  const op = async () => (await ok(http, 'POST', '/admin/reservations', { inventory_item_id: iid, location_id: wid, quantity: 1 })).ms;
  await closedLoop(stack, 8, 1000, op);
  return async () => {
    const run = await closedLoop(stack, 8, ms, op);
    http.close();
    return run.ops;
  };
}
