/**
 * What a run leaves behind: the table on stdout, bench/results.json (the headline figures, one
 * number each) and bench/RESULTS.md (machine, figures against targets, details, profile, reading).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { P1Result } from '../p1-reservations.ts';
import type { P3Result } from '../p3-bundles.ts';
import type { P4Result } from '../p4-bulk.ts';
import type { P5Figure } from '../p5-report.ts';
import type { P6Result } from '../p6-page.ts';
import type { ProfileSummary } from './profile.ts';
import { BENCH_DIR } from './stack.ts';
import type { Machine } from './stack.ts';
import { median, round, spread } from './stats.ts';

export interface RunInfo {
  quick: boolean;
  date: string;
  wallSeconds: number;
  sizes: { small: number; large: number };
  machine: Machine;
  p1: P1Result;
  p3: P3Result;
  p4: P4Result;
  p5: { small: P5Figure; large: P5Figure };
  p6: P6Result;
  profile?: { target: string; why: string; summary: ProfileSummary; perOp?: { ops: number; label: string } };
}

/** The headline figures, exactly the keys of results.json. */
export function headline(r: RunInfo) {
  return {
    p1_ratio: round(r.p1.perConcurrency.find((c) => c.concurrency === 8)!.ratio, 3),
    p2_p50_ms: round(r.p1.p50AddedMs, 2),
    p2_p99_ms: round(r.p1.p99AddedMs, 2),
    p3_max_bundle_kb: round(r.p3.maxKb, 1),
    p3_import_ratio: round(r.p3.maxImportRatio, 3),
    p4_requests: r.p4.requests,
    p4_ratio: round(r.p4.ratio, 3),
    p5_ratio_1k: round(r.p5.small.ratio, 3),
    p5_ratio_100k: round(r.p5.large.ratio, 3),
    p6_requests: Math.max(r.p6.requests.small, r.p6.requests.large),
    p6_latency_ratio: round(r.p6.ratio, 3),
    quick: r.quick,
    date: r.date,
  };
}

type Headline = ReturnType<typeof headline>;
interface Line {
  key: keyof Headline;
  what: string;
  target: string;
  met: (h: Headline) => boolean;
  spread?: string;
}

const kSize = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));

function lines(r: RunInfo): Line[] {
  const c8 = r.p1.perConcurrency.find((c) => c.concurrency === 8)!;
  const ratios = (a: number[], b: number[]) => spread(a.map((x, i) => x / b[i]));
  const large = kSize(r.sizes.large);
  return [
    {
      key: 'p1_ratio',
      what: 'P1 hot-SKU reservations/s, service ÷ raw (c=8)',
      target: '≥ 0.8',
      met: (h) => h.p1_ratio >= 0.8,
      spread: ratios(c8.service, c8.raw),
    },
    { key: 'p2_p50_ms', what: 'P2 added latency p50, ms (c=1)', target: '≤ 2', met: (h) => h.p2_p50_ms <= 2, spread: spread(r.p1.p50AddedRounds) },
    { key: 'p2_p99_ms', what: 'P2 added latency p99, ms (c=1)', target: '≤ 10', met: (h) => h.p2_p99_ms <= 10, spread: spread(r.p1.p99AddedRounds) },
    { key: 'p3_max_bundle_kb', what: `P3 largest bundle, KB (${r.p3.largest})`, target: '≤ 150', met: (h) => h.p3_max_bundle_kb <= 150 },
    { key: 'p3_import_ratio', what: `P3 cold import ÷ hello-world, worst (${r.p3.slowest})`, target: '≤ 1.5', met: (h) => h.p3_import_ratio <= 1.5 },
    { key: 'p4_requests', what: 'P4 bulk 500 rows: DynamoDB requests', target: '≤ 15', met: (h) => h.p4_requests <= 15 },
    {
      key: 'p4_ratio',
      what: 'P4 bulk 500 rows: wall ÷ raw writes',
      target: '≤ 1.5',
      met: (h) => h.p4_ratio <= 1.5,
      spread: ratios(r.p4.serviceMs, r.p4.rawMs),
    },
    { key: 'p5_ratio_1k', what: `P5 report items read ÷ flagged, ${kSize(r.sizes.small)} levels`, target: '≤ 1.1', met: (h) => h.p5_ratio_1k <= 1.1 },
    {
      key: 'p5_ratio_100k',
      what: `P5 report items read ÷ flagged, ${large} levels${r.quick ? ' (quick: scaled from 100k)' : ''}`,
      target: '≤ 1.1',
      met: (h) => h.p5_ratio_100k <= 1.1,
    },
    { key: 'p6_requests', what: 'P6 page of 50 SKUs: DynamoDB requests', target: '≤ 3', met: (h) => h.p6_requests <= 3 },
    {
      key: 'p6_latency_ratio',
      what: `P6 page latency ${large} ÷ ${kSize(r.sizes.small)} SKUs`,
      target: '≤ 1.2',
      met: (h) => h.p6_latency_ratio <= 1.2,
      spread: ratios(r.p6.largeMs, r.p6.smallMs),
    },
  ];
}

export function table(r: RunInfo): string {
  const h = headline(r);
  const rows = lines(r).map((l) => [l.what, String(h[l.key]), l.target, l.met(h) ? 'met' : 'MISSED', l.spread ?? '']);
  const head = ['figure', 'value', 'target', '', 'rounds min–max'];
  const widths = head.map((_, i) => Math.max(head[i].length, ...rows.map((row) => row[i].length)));
  const fmt = (row: string[]) => row.map((c, i) => (i === 1 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

export function writeResults(r: RunInfo): { json: string; md: string } {
  const json = join(BENCH_DIR, 'results.json');
  const md = join(BENCH_DIR, 'RESULTS.md');
  writeFileSync(json, `${JSON.stringify(headline(r), null, 2)}\n`);
  writeFileSync(md, markdown(r));
  return { json, md };
}

const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
/** `Query 1, TransactWriteItems 1` from counts by command name (fractions to two decimals). */
const commandList = (c: Record<string, number>) =>
  Object.entries(c)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k.replace(/Command$/, '')} ${Number.isInteger(v) ? v : Number(v.toFixed(2))}`)
    .join(', ');

function markdown(r: RunInfo): string {
  const h = headline(r);
  const m = r.machine;
  const out: string[] = [];
  const p = (s = '') => out.push(s);
  p('# Benchmark results');
  p();
  p(`Written by \`npm run bench${r.quick ? ' -- --quick' : ''}\` on ${r.date} (${r.quick ? 'quick' : 'full'} run, ${Math.round(r.wallSeconds)} s).`);
  if (r.quick) p(`Quick run: the large catalogue is ${kSize(r.sizes.large)} SKUs / levels instead of 100k, with fewer and shorter rounds.`);
  p();
  p('## Machine');
  p(`- ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB memory, ${m.os}`);
  p(`- Node ${m.node}; Java: ${m.java}`);
  p(
    `- Load average (1 min): ${m.loadAverage[0].toFixed(2)} before the run, ${m.loadAverageAfter?.toFixed(2) ?? '–'} after it (the run itself keeps both cores busy; a load well above 0 before it means another job shared the machine)`,
  );
  p('- DynamoDB Local in memory and the local runtime (`lib/local/server.ts`) in its own Node process, both started by the run; the');
  p('  load generator and the raw baselines in a third. All three share the cores, so figures are ratios and medians of rounds.');
  p();
  p('## Figures');
  p('| figure | value | target | | rounds min–max |');
  p('|---|---:|---|---|---|');
  for (const l of lines(r)) p(`| ${l.what} | ${h[l.key]} | ${l.target} | ${l.met(h) ? 'met' : '**missed**'} | ${l.spread ?? ''} |`);
  p();
  p('## Details');
  p();
  p('### P1 / P2 — hot-SKU reservations');
  p('| concurrency | service reservations/s (median) | raw transactions/s (median) | ratio (median of rounds) |');
  p('|---:|---:|---:|---:|');
  for (const c of r.p1.perConcurrency)
    p(`| ${c.concurrency} | ${f1(median(c.service))} | ${f1(median(c.raw))} | ${f2(c.ratio)} (${spread(c.service.map((x, i) => x / c.raw[i]))}) |`);
  p();
  p(
    `- Latency at concurrency 1, medians of the rounds: p50 service ${f2(r.p1.p50.service)} ms vs raw ${f2(r.p1.p50.raw)} ms; p99 service ${f2(r.p1.p99.service)} ms vs raw ${f2(r.p1.p99.raw)} ms.`,
  );
  p(
    `- DynamoDB requests per service reservation (counted at the client, c=8): ${commandList(r.p1.requestsPerOp)}; the raw baseline sends 1 TransactWriteItems with 2 actions.`,
  );
  const cs = r.p1.cpuPerOp.service;
  const cr = r.p1.cpuPerOp.raw;
  p(
    `- CPU per reservation at c=8 (ms, from /proc and process.cpuUsage): service run — DynamoDB Local ${f2(cs.dynamodb)}, service process ${f2(cs.service)}, load generator ${f2(cs.bench)}; raw run — DynamoDB Local ${f2(cr.dynamodb)}, load generator ${f2(cr.bench)}.`,
  );
  p(`- Errors: ${r.p1.errors}; raw transactions cancelled for contention and retried: ${r.p1.rawConflicts}.`);
  p();
  p('### P3 — bundles and cold import');
  p(
    `Baseline (bench/hello.ts, a DynamoDB document client): ${f1(r.p3.baseline.kb)} KB, cold import ${f1(r.p3.baseline.importMs)} ms wall, ${f1(r.p3.baseline.cpuMs)} ms CPU (medians of ${r.p3.baseline.samples}). ${r.p3.timed} functions timed, ${r.p3.rounds} rounds, each import paired with a baseline import; median wall ratio over them ${f2(r.p3.medianImportRatio)}, largest CPU-time ratio ${f2(r.p3.maxCpuRatio)}.`,
  );
  p();
  p('<details><summary>every function</summary>');
  p();
  p("| function | bundle KB | cold import ms | ÷ baseline (wall) | ÷ baseline (CPU) | @aws-sdk packages beyond the baseline's |");
  p('|---|---:|---:|---:|---:|---|');
  for (const fn of r.p3.functions) {
    const extra = fn.sdk.filter((x) => !r.p3.baseline.sdk.includes(x)).join(', ');
    const or = (x: number | undefined, f: (x: number) => string) => (x === undefined ? '–' : f(x));
    p(`| ${fn.name} | ${f1(fn.kb)} | ${or(fn.importMs, f1)} | ${or(fn.importRatio, f2)} | ${or(fn.cpuRatio, f2)} | ${extra} |`);
  }
  p();
  p('</details>');
  p();
  p('### P4 — bulk update of 500 rows');
  p(
    `- DynamoDB requests per bulk request: ${r.p4.requests} (${commandList(r.p4.commands)}); the raw writes need ${Math.ceil((2 * 500) / 100)} TransactWriteItems.`,
  );
  p(`- Wall time, medians: service ${f1(median(r.p4.serviceMs))} ms, raw writes ${f1(median(r.p4.rawMs))} ms.`);
  p();
  p('### P5 — low-stock report');
  p('| levels | flagged | items read (client) | by command | requests | ratio |');
  p('|---:|---:|---:|---|---:|---:|');
  for (const x of [r.p5.small, r.p5.large])
    p(`| ${x.levels} | ${x.flagged} | ${x.itemsRead} | ${commandList(x.itemsByCommand)} | ${x.requests} | ${f2(x.ratio)} |`);
  p();
  p('### P6 — page of 50 SKUs');
  p(
    `- DynamoDB requests per page: ${r.p6.requests.small} at ${kSize(r.sizes.small)} SKUs, ${r.p6.requests.large} at ${kSize(r.sizes.large)} (${commandList(r.p6.commands)}).`,
  );
  p(
    `- Items DynamoDB returned for the page of 50: ${r.p6.itemsRead.small} at ${kSize(r.sizes.small)} SKUs, ${r.p6.itemsRead.large} at ${kSize(r.sizes.large)}.`,
  );
  p(`- Latency, medians of rounds: ${f2(median(r.p6.smallMs))} ms at ${kSize(r.sizes.small)}, ${f2(median(r.p6.largeMs))} ms at ${kSize(r.sizes.large)}.`);
  p();
  if (r.profile) {
    const s = r.profile.summary;
    p(`## Profile: ${r.profile.target}`);
    p(r.profile.why);
    p();
    p(
      `V8 CPU profile (sampling every 200 µs) of ${r.profile.target.startsWith('P3') ? 'the cold import' : 'the service process during the workload'}: ${f1(s.totalMs)} ms covered, ${f1(s.busyMs)} ms busy, ${f1(s.idleMs)} ms idle${r.profile.perOp ? ` (${r.profile.perOp.ops} ${r.profile.perOp.label}: ${f2(s.busyMs / r.profile.perOp.ops)} ms busy each)` : ''}.`,
    );
    p();
    p('| area (self time) | ms | share of busy |');
    p('|---|---:|---:|');
    for (const a of s.byArea.slice(0, 10)) p(`| ${a.area} | ${f1(a.ms)} | ${pct(a.share)} |`);
    p();
    p('| function (self time) | area | ms | share |');
    p('|---|---|---:|---:|');
    for (const t of s.top) p(`| \`${t.fn}\` | ${t.area} | ${f1(t.ms)} | ${pct(t.share)} |`);
    p();
  }
  p('## Reading');
  for (const line of reading(r, h)) p(`- ${line}`);
  p();
  return out.join('\n');
}

/** A short reading of the figures, from the figures and the counters themselves. */
function reading(r: RunInfo, h: Headline): string[] {
  const out: string[] = [];
  const perOp = Object.values(r.p1.requestsPerOp).reduce((a, b) => a + b, 0);
  const cs = r.p1.cpuPerOp.service;
  const cr = r.p1.cpuPerOp.raw;
  out.push(
    `P1: the service reaches ${pct(h.p1_ratio)} of the raw transaction rate at c=8 (${r.p1.perConcurrency.map((c) => `${f2(c.ratio)} at c=${c.concurrency}`).join(', ')}). ` +
      `It sends ${f2(perOp)} DynamoDB requests per reservation (${commandList(r.p1.requestsPerOp)}) against the baseline's one, and DynamoDB Local spends ${f2(cs.dynamodb)} ms of CPU per service reservation against ${f2(cr.dynamodb)} ms per raw one; ` +
      `the service process adds ${f2(cs.service)} ms of CPU per reservation on the same two cores.`,
  );
  out.push(
    `P2: at concurrency 1 the stack adds ${f2(h.p2_p50_ms)} ms at p50 and ${f2(h.p2_p99_ms)} ms at p99 over the raw call (${f2(r.p1.p50.raw)} ms p50 raw).`,
  );
  const slowest = r.p3.functions.find((f) => f.name === r.p3.slowest)!;
  const extraSdk = slowest.sdk.filter((x) => !r.p3.baseline.sdk.includes(x));
  out.push(
    `P3: the largest bundle is ${r.p3.largest} at ${f1(h.p3_max_bundle_kb)} KB (${h.p3_max_bundle_kb <= 150 ? 'within' : 'over'} the 150 KB target); ` +
      `cold imports take ${f2(r.p3.medianImportRatio)}× the hello-world's at the median and ${f2(h.p3_import_ratio)}× at worst (${r.p3.slowest}): ` +
      `what the hello-world costs too (loading the AWS SDK, creating a client) is ${pct(1 / r.p3.medianImportRatio)} of a median function's import. ` +
      `${r.p3.slowest} (${f1(slowest.kb)} KB) imports ${extraSdk.length ? extraSdk.join(', ') : 'no @aws-sdk package'} beyond the baseline's ${r.p3.baseline.sdk.join(', ')}.`,
  );
  out.push(
    `P4: a 500-row bulk costs ${h.p4_requests} DynamoDB requests (${commandList(r.p4.commands)}) and ${f2(h.p4_ratio)}× the time of the ${Math.ceil(1000 / 100)} transactions its writes need.`,
  );
  out.push(
    `P5: the report reads ${f2(h.p5_ratio_1k)} items per flagged level at ${kSize(r.sizes.small)} levels and ${f2(h.p5_ratio_100k)} at ${kSize(r.sizes.large)} — ` +
      `${Math.abs(h.p5_ratio_1k - h.p5_ratio_100k) < 0.2 ? 'independent of the catalogue size (only flagged levels are read)' : 'changing with the catalogue size'}; ` +
      `by command: ${commandList(r.p5.large.itemsByCommand)}.`,
  );
  out.push(
    `P6: a page of 50 SKUs costs ${h.p6_requests} DynamoDB requests (${commandList(r.p6.commands)}) at both sizes, and ${f2(h.p6_latency_ratio)}× the latency at ${kSize(r.sizes.large)} SKUs of that at ${kSize(r.sizes.small)}.`,
  );
  if (r.profile) {
    const s = r.profile.summary;
    const top = s.byArea
      .slice(0, 3)
      .map((a) => `${a.area} ${pct(a.share)}`)
      .join(', ');
    out.push(`Profile (${r.profile.target}): of the busy time, ${top}; the hottest function is \`${s.top[0]?.fn}\`.`);
  }
  const missed = lines(r)
    .filter((l) => !l.met(h))
    .map((l) => l.key);
  out.push(missed.length ? `Targets missed: ${missed.join(', ')}.` : 'Every target is met.');
  return out;
}
