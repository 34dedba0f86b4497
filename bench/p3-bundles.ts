/**
 * P3: per function, the minified ESM bundle the stack deploys (lib/bundle-all.ts, the options of
 * lib/bundling.ts) and its cold import time — `await import(bundle)` timed inside a fresh Node
 * process — against a hello-world bundle that creates a DynamoDB document client (bench/hello.ts),
 * bundled with the same options. The bundles are written inside the work tree, so the external
 * @aws-sdk/* packages resolve from node_modules for the functions and the baseline alike.
 *
 * Import samples are taken round by round, each function's paired with a baseline import right
 * before or after it, so a drift of the machine's speed reaches both; a function's ratio is the
 * median over the rounds of the pairs' ratios. CPU time is taken along as a check.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { bundleAll } from '../lib/bundle-all.ts';
import { esbuildOptions, ROOT } from '../lib/bundling.ts';
import { WORK_DIR } from './lib/stack.ts';
import { median } from './lib/stats.ts';

export const BASELINE = 'HelloWorld';

export interface BundleFigure {
  name: string;
  kb: number;
  /** The external @aws-sdk/* packages the bundle imports (loaded from node_modules at import). */
  sdk: string[];
  /** Median cold import, ms (undefined when this run did not time it). */
  importMs?: number;
  /** Median over rounds of import wall time ÷ the paired baseline import's. */
  importRatio?: number;
  /** The same with CPU time. */
  cpuRatio?: number;
}

export interface P3Result {
  functions: BundleFigure[];
  baseline: { kb: number; importMs: number; cpuMs: number; samples: number; sdk: string[] };
  maxKb: number;
  largest: string;
  /** The largest import ratio of the functions timed, and whose it is. */
  maxImportRatio: number;
  slowest: string;
  medianImportRatio: number;
  /** The largest CPU-time ratio: a check on the wall-time one when the machine is busy. */
  maxCpuRatio: number;
  timed: number;
  rounds: number;
}

export interface P3Options {
  rounds: number;
  /**
   * Time only a sample of the functions (quick runs): the `largest` largest bundles, the largest
   * bundle of each distinct set of @aws-sdk packages imported (what a cold import mostly costs), and
   * the authorizer, which fronts every request. All functions when undefined.
   */
  sample?: { largest: number };
}

/** The @aws-sdk/* packages a bundle imports (they are external: each is loaded by Node at import). */
export function sdkImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...new Set([...text.matchAll(/from\s*["'](@aws-sdk\/[\w-]+)["']/g)].map((m) => m[1]))].sort();
}

/** Bundle every function and the baseline; sizes in bytes and files. */
export async function bundle(): Promise<{ files: Map<string, string>; bytes: Map<string, number> }> {
  const dir = join(WORK_DIR, 'bundles');
  rmSync(dir, { recursive: true, force: true });
  const sizes = await bundleAll({ dir, keep: true });
  const helloFile = join(dir, `${BASELINE}.mjs`);
  await build(esbuildOptions('bench/hello.ts', helloFile));
  const files = new Map(sizes.map((s) => [s.name, s.file]));
  const bytes = new Map(sizes.map((s) => [s.name, s.bytes]));
  files.set(BASELINE, helloFile);
  bytes.set(BASELINE, statSync(helloFile).size);
  return { files, bytes };
}

/** Run inside the fresh process: wall and CPU time of the import (CPU time is what a busy neighbour barely moves). */
const IMPORT_TIMER = `
const t0 = performance.now();
const c0 = process.cpuUsage();
await import(process.env.BENCH_BUNDLE);
const c = process.cpuUsage(c0);
process.stdout.write(JSON.stringify({ ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 }));
`;

/** Environment of a Lambda-like cold start: what the stack's functions see, minus the network. */
const importEnv = () => ({
  ...process.env,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_REGION: 'eu-west-1',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  POWERTOOLS_METRICS_DISABLED: 'true',
  TABLE_NAME: 'inventory',
});

export interface ImportTime {
  /** Wall time of `await import(bundle)`, ms. */
  ms: number;
  /** CPU time (user + system) the process spent on it, ms. */
  cpuMs: number;
}

/** Cold import of one bundle in a fresh Node process; with `cpuProfileDir`, under --cpu-prof. */
export function importTime(file: string, cpuProfileDir?: string): ImportTime {
  const prof = cpuProfileDir ? ['--cpu-prof', '--cpu-prof-interval', '200', '--cpu-prof-dir', cpuProfileDir] : [];
  const res = spawnSync(process.execPath, [...prof, '--input-type=module', '-e', IMPORT_TIMER], {
    cwd: ROOT,
    env: { ...importEnv(), BENCH_BUNDLE: file },
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(`importing ${file} failed:\n${res.stderr}`);
  return JSON.parse(res.stdout) as ImportTime;
}

/** The same order for a given round, different between rounds: a periodic neighbour does not always hit one function. */
function shuffled<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  let x = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0; // a 32-bit linear congruential generator
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export async function runP3(opts: P3Options, log: (s: string) => void): Promise<P3Result> {
  const { files, bytes } = await bundle();
  const names = [...files.keys()].filter((n) => n !== BASELINE).sort((a, b) => bytes.get(b)! - bytes.get(a)!);
  const sdkOf = new Map(names.map((n) => [n, sdkImports(files.get(n)!).join(' ')]));
  const timed = opts.sample
    ? [...new Set([...names.slice(0, opts.sample.largest), ...new Map([...names].reverse().map((n) => [sdkOf.get(n), n])).values(), 'Authorizer'])]
    : names;
  const what = opts.sample ? ` (a sample: the ${opts.sample.largest} largest, the largest of each set of @aws-sdk imports, the authorizer)` : '';
  log(`  ${names.length} functions bundled; timing the cold import of ${timed.length}${what}, ${opts.rounds} rounds`);

  // each function's import is paired with one of the baseline right before or after it (alternating):
  // its ratio is the median over the rounds of function ÷ baseline, pair by pair
  importTime(files.get(BASELINE)!); // warm the file system cache
  const pairs = new Map<string, { fn: ImportTime; base: ImportTime }[]>(timed.map((n) => [n, []]));
  const base: ImportTime[] = [];
  for (let r = 0; r < opts.rounds; r++) {
    shuffled(timed, r + 1).forEach((name, i) => {
      const [first, second] = (r + i) % 2 ? [name, BASELINE] : [BASELINE, name];
      const a = importTime(files.get(first)!);
      const b = importTime(files.get(second)!);
      const pair = first === BASELINE ? { base: a, fn: b } : { fn: a, base: b };
      pairs.get(name)!.push(pair);
      base.push(pair.base);
    });
    log(`  round ${r + 1}/${opts.rounds}: baseline import ${median(base.map((x) => x.ms)).toFixed(0)} ms so far`);
  }
  const functions: BundleFigure[] = names.map((name) => {
    const p = pairs.get(name);
    return {
      name,
      kb: bytes.get(name)! / 1024,
      sdk: sdkImports(files.get(name)!),
      importMs: p && median(p.map((x) => x.fn.ms)),
      importRatio: p && median(p.map((x) => x.fn.ms / x.base.ms)),
      cpuRatio: p && median(p.map((x) => x.fn.cpuMs / x.base.cpuMs)),
    };
  });
  const withRatio = functions.filter((f) => f.importRatio !== undefined);
  const slowest = withRatio.reduce((a, b) => (b.importRatio! > a.importRatio! ? b : a));
  return {
    functions,
    baseline: {
      kb: bytes.get(BASELINE)! / 1024,
      importMs: median(base.map((x) => x.ms)),
      cpuMs: median(base.map((x) => x.cpuMs)),
      samples: base.length,
      sdk: sdkImports(files.get(BASELINE)!),
    },
    maxKb: functions[0].kb,
    largest: functions[0].name,
    maxImportRatio: slowest.importRatio!,
    slowest: slowest.name,
    medianImportRatio: median(withRatio.map((f) => f.importRatio!)),
    maxCpuRatio: Math.max(...withRatio.map((f) => f.cpuRatio!)),
    timed: timed.length,
    rounds: opts.rounds,
  };
}
