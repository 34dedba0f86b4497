/**
 * `npm run bench` — the inventory service's benchmark suite; `npm run bench -- --quick` for a
 * one-minute version (large catalogue 10k instead of 100k, fewer and shorter rounds).
 *
 * It starts its own DynamoDB Local (in memory) and the local runtime, and measures each figure
 * against a baseline in the same run, as ratios and medians of rounds (the machine is shared and
 * noisy; no single absolute time is a result):
 *   P1  hot-SKU reservations/s over HTTP vs the raw reserve transaction, c = 1, 8, 32   (p1-reservations.ts)
 *   P2  the stack's added latency over the raw call, p50 and p99, c = 1                  (p1-reservations.ts)
 *   P3  bundle size and cold import time per function vs a hello-world bundle           (p3-bundles.ts)
 *   P4  500-row bulk update: DynamoDB requests, wall time vs the raw writes               (p4-bulk.ts)
 *   P5  low-stock report: items read per flagged level at 1k and 100k levels            (p5-report.ts)
 *   P6  page of 50 SKUs: DynamoDB requests, latency at 100k vs 1k SKUs                   (p6-page.ts)
 * then profiles the workload of the slowest time ratio (V8 CPU profile; skip with --no-profile,
 * force in a quick run with --profile). DynamoDB requests are counted by a middleware on the
 * service's own client (bench/lib/server.ts).
 *
 * Writes bench/results.json and bench/RESULTS.md; prints a table.
 *
 * Every DynamoDB call goes through the DynamoDB front (IAM per function). `--aws-model` runs
 * bench/aws-model.ts instead: P1/P2, P7 (hot SKU) and P9 (cross-SKU conflicts) with transaction
 * conflicts and partition limits on; it writes bench/results-aws-model.json (`--out <file>`: elsewhere). `--only p9` runs P9 alone
 * (and updates only its figures in that file).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { DynamoDbLocal } from '../lib/local/dynamodb-local.ts';
import { db } from '../functions/store/db.ts';
import { p1ProfileLoad, runP1 } from './p1-reservations.ts';
import { runAwsModel } from './aws-model.ts';
import { importTime, runP3 } from './p3-bundles.ts';
import type { P3Result } from './p3-bundles.ts';
import { p4ProfileLoad, runP4 } from './p4-bulk.ts';
import { runP5 } from './p5-report.ts';
import { p6ProfileLoad, runP6 } from './p6-page.ts';
import { summarise } from './lib/profile.ts';
import { headline, table, writeResults } from './lib/report.ts';
import type { RunInfo } from './lib/report.ts';
import { seedCatalogue } from './lib/seed.ts';
import type { Catalogue } from './lib/seed.ts';
import { machine, startDynamoDb, startStack, WORK_DIR } from './lib/stack.ts';
import type { Stack } from './lib/stack.ts';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
/** `--aws-model --only p9` (or `--only=p9`): that workload of the AWS model alone. */
const ONLY = (
  args.find((a) => a.startsWith('--only='))?.split('=')[1] ?? (args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined)
)?.toLowerCase();
/**
 * `--aws-model --out <file>` (or `--out=<file>`): write the model's results there instead of
 * bench/results-aws-model.json (a partial or loaded run kept out of the committed file; with --only,
 * the figures are merged into that file, which starts as a copy of the committed one when missing).
 */
const OUT = args.find((a) => a.startsWith('--out='))?.split('=')[1] ?? (args.includes('--out') ? args[args.indexOf('--out') + 1] : undefined);
/** `--aws-model --commit-ms 10,25,50` (or `=`): the transaction holds T (ms at full scale) every figure is measured at; default 10, 25 and 50. */
const COMMIT_ARG =
  args.find((a) => a.startsWith('--commit-ms='))?.split('=')[1] ?? (args.includes('--commit-ms') ? args[args.indexOf('--commit-ms') + 1] : undefined);
const COMMIT_MS = COMMIT_ARG?.split(',')
  .map(Number)
  .filter((n) => Number.isFinite(n) && n >= 0);
/** `--profile=P1|P3|P4|P6` profiles that workload instead of the slowest one. */
const PROFILE_ONLY = args
  .find((a) => a.startsWith('--profile='))
  ?.split('=')[1]
  ?.toUpperCase();
const PROFILE = args.includes('--profile') || PROFILE_ONLY !== undefined || (!QUICK && !args.includes('--no-profile'));

/** Sizes and rounds of the two modes (the quick one scales the large catalogue down to 10k). */
const PLAN = QUICK
  ? {
      small: 1_000,
      large: 10_000,
      p1: { rounds: 3, runMs: 1000, warmupMinMs: 6000, warmupMaxMs: 20_000 },
      p3: { rounds: 5, sample: { largest: 3 } },
      p4: { rounds: 5 },
      p6: { rounds: 3, perRound: 20 },
    }
  : {
      small: 1_000,
      large: 100_000,
      p1: { rounds: 5, runMs: 2500, warmupMinMs: 15_000, warmupMaxMs: 40_000 },
      p3: { rounds: 5, sample: undefined },
      p4: { rounds: 9 },
      p6: { rounds: 5, perRound: 30 },
    };

const TABLE_NAME = 'inventory-bench';
const t0 = performance.now();
const log = (s: string) => console.log(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${s}`);

let ddb: DynamoDbLocal | undefined;
let stack: Stack | undefined;

async function main() {
  // the functions run on Node 24 in Lambda; the SDK's warning about older Nodes is noise here
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  if (args.includes('--aws-model')) {
    log(`inventory benchmark, AWS model${QUICK ? ' (quick)' : ''}`);
    mkdirSync(WORK_DIR, { recursive: true });
    return runAwsModel({ quick: QUICK, log, only: ONLY, commitMs: COMMIT_MS, out: OUT });
  }
  log(`inventory benchmark, ${QUICK ? `quick run (large catalogue ${PLAN.large.toLocaleString('en')} instead of 100,000)` : 'full run'}`);
  rmSync(WORK_DIR, { recursive: true, force: true });
  mkdirSync(WORK_DIR, { recursive: true });
  const host = await machine();
  if (host.loadAverage[0] > 0.5) log(`note: load average ${host.loadAverage[0].toFixed(2)} before the run — something else is using the machine`);

  // P3 first, on a quiet machine: a starting JVM next to the import timings would skew them
  log('P3 bundles and cold imports');
  const p3 = await runP3(PLAN.p3, log);
  ddb = await startDynamoDb(TABLE_NAME);
  stack = await startStack(ddb, TABLE_NAME);
  log(`DynamoDB Local on ${ddb.endpoint}, service on ${stack.url}`);

  log(`P1/P2 hot-SKU reservations, ${PLAN.p1.rounds} rounds of ${PLAN.p1.runMs} ms per side and concurrency`);
  const p1 = await runP1(stack, PLAN.p1, log);

  log(`seeding catalogues of ${PLAN.small.toLocaleString('en')} and ${PLAN.large.toLocaleString('en')} SKUs (BatchWriteItem)`);
  const small = await seedCatalogue('s', PLAN.small, { guards: PLAN.small });
  log(`  ${PLAN.small} seeded`);
  const large = await seedCatalogue('l', PLAN.large);
  log(`  ${PLAN.large} seeded`);

  log('P5 low-stock report');
  const p5 = { small: await runP5(stack, small), large: await runP5(stack, large) };
  log(`  items read ÷ flagged: ${p5.small.ratio.toFixed(2)} at ${PLAN.small}, ${p5.large.ratio.toFixed(2)} at ${PLAN.large}`);

  log('P6 page of 50 SKUs');
  const p6 = await runP6(stack, small, large, PLAN.p6, log);

  log('P4 bulk update of 500 rows');
  const p4 = await runP4(stack, small, PLAN.p4, log);

  const info: RunInfo = {
    quick: QUICK,
    date: new Date().toISOString(),
    wallSeconds: 0,
    sizes: { small: PLAN.small, large: PLAN.large },
    machine: host,
    p1,
    p3,
    p4,
    p5,
    p6,
  };

  if (PROFILE) info.profile = await profileSlowest(stack, info, { small, large });

  await stack.stop();
  await ddb.stop();
  db().destroy();
  info.wallSeconds = (performance.now() - t0) / 1000;
  info.machine.loadAverageAfter = loadavg()[0];
  const files = writeResults(info);
  // every sample and counter of the run, for a closer look (not committed)
  writeFileSync(join(WORK_DIR, 'run.json'), JSON.stringify(info, null, 1));
  console.log(`\n${table(info)}\n`);
  console.log(`quick: ${headline(info).quick}  (sizes: ${PLAN.small.toLocaleString('en')} and ${PLAN.large.toLocaleString('en')})`);
  console.log(`wrote ${files.json} and ${files.md} in ${info.wallSeconds.toFixed(0)} s`);
}

/**
 * The time ratio furthest from 1 in the slow direction (P1 counts as raw ÷ service), and a CPU
 * profile of its workload: the service process for P1, P4 and P6, the cold import for P3.
 */
async function profileSlowest(stack: Stack, r: RunInfo, cats: { small: Catalogue; large: Catalogue }): Promise<RunInfo['profile']> {
  const h = headline(r);
  const slowdowns = [
    { target: 'P1 hot-SKU reservations (c=8)', factor: 1 / h.p1_ratio },
    { target: 'P3 cold import', factor: h.p3_import_ratio },
    { target: 'P4 bulk update', factor: h.p4_ratio },
    { target: 'P6 page of 50 SKUs', factor: h.p6_latency_ratio },
  ].sort((a, b) => b.factor - a.factor);
  const slowest = (PROFILE_ONLY && slowdowns.find((s) => s.target.startsWith(`${PROFILE_ONLY} `))) || slowdowns[0];
  const all = slowdowns.map((s) => `${s.target.split(' ')[0]} ${s.factor.toFixed(2)}×`).join(', ');
  const why =
    slowest === slowdowns[0]
      ? `Slowest time ratio of this run: ${slowest.target}, ${slowest.factor.toFixed(2)}× its baseline (${all}).`
      : `Profiled on request (--profile=${PROFILE_ONLY}): ${slowest.target}, ${slowest.factor.toFixed(2)}× its baseline (${all}).`;
  const dir = join(WORK_DIR, 'profiles');
  mkdirSync(dir, { recursive: true });
  log(`profiling ${slowest.target} (${slowest.factor.toFixed(2)}× its baseline)`);

  if (slowest.target.startsWith('P3')) {
    const p3 = r.p3 as P3Result;
    importTime(join(WORK_DIR, 'bundles', `${p3.slowest}.mjs`), dir);
    const file = join(
      dir,
      readdirSync(dir)
        .filter((f) => f.endsWith('.cpuprofile'))
        .sort()
        .at(-1)!,
    );
    return { target: `${slowest.target} of ${p3.slowest}`, why, summary: summarise(file) };
  }
  const [load, label] = slowest.target.startsWith('P1')
    ? [await p1ProfileLoad(stack, 5000), 'reservations']
    : slowest.target.startsWith('P4')
      ? [p4ProfileLoad(stack, cats.small, 5), 'bulk requests']
      : [p6ProfileLoad(stack, cats.large, 200), 'pages'];
  const file = join(dir, 'service.cpuprofile');
  await stack.startProfile();
  const ops = await load();
  await stack.stopProfile(file);
  const summary = summarise(file);
  log(
    `  ${summary.busyMs.toFixed(0)} ms busy of ${summary.totalMs.toFixed(0)} ms; top: ${summary.byArea
      .slice(0, 3)
      .map((a) => `${a.area} ${(a.share * 100).toFixed(0)} %`)
      .join(', ')}`,
  );
  return { target: slowest.target, why, summary, perOp: { ops, label } };
}

async function shutdown(code: number) {
  await stack?.stop().catch(() => undefined);
  await ddb?.stop().catch(() => undefined);
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(130));
process.on('SIGTERM', () => void shutdown(143));
main().then(
  () => process.exit(0),
  async (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    await shutdown(1);
  },
);
