/**
 * A test file's body for the schedule explorer: explore every scenario of `pairs` under the given
 * budgets, print what it covered (pairs, schedules, schedules per second), and fail on any violation
 * outside `knownFailing` — one line per failing schedule with the seed that replays it:
 *   EXPLORER_SEED='<seed>' NODE_OPTIONS=--experimental-vm-modules npx jest <this file>
 * runs that schedule alone and prints its trace.
 */
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeReader, explore, installExplorer, parseSeed, pool, runSchedule, scenarioId } from './explorer.ts';
import type { Explored, ExploreOptions, Scenario, SetupSpec } from './explorer.ts';
import { OPS, SETUP_HELD, SETUP_RESERVED } from './explorer-catalogue.ts';

export const SETUPS: Record<string, SetupSpec> = {
  plain: { name: 'plain', stockA: 10, stockB: 5, reserved: SETUP_RESERVED, held: SETUP_HELD, hot: 0 },
  hot: { name: 'hot', stockA: 10, stockB: 5, reserved: SETUP_RESERVED, held: SETUP_HELD, hot: 2 },
  backorder: { name: 'backorder', stockA: 10, stockB: 5, reserved: SETUP_RESERVED, held: SETUP_HELD, hot: 0, backorderLimit: 3 },
  // a backorder limit above one shard's share: a reservation bigger than any shard can pass the level's own floor
  'hot-backorder': { name: 'hot-backorder', stockA: 10, stockB: 5, reserved: SETUP_RESERVED, held: SETUP_HELD, hot: 2, backorderLimit: 6 },
  // hot mode's escrow design at A (hot_design: escrow), with a reservation of 1 still pending in a shard's map
  escrow: { name: 'escrow', stockA: 10, stockB: 5, reserved: SETUP_RESERVED, held: SETUP_HELD, hot: 2, design: 'escrow', pending: true },
};

/** `setup:opA+opB[+opC]`; `#k` after an op name sends it with an Idempotency-Key. */
export function scenario(spec: string): Scenario {
  const [setupName, ops] = spec.split(':');
  const setup = SETUPS[setupName];
  if (!setup) throw new Error(`unknown setup ${setupName}`);
  const list = ops.split('+').map((n) => {
    const keyed = n.endsWith('#k');
    const op = OPS[n.replace(/#k$/, '')];
    if (!op) throw new Error(`unknown op ${n}`);
    if (keyed && !op.keyable) throw new Error(`${op.name} takes no Idempotency-Key`);
    return { op, keyed };
  });
  return { id: scenarioId(setup, list), setup, ops: list };
}

/** Each pair with and without keys: a key on the first op, on the second, on none (background jobs take none). */
export function keyedVariants(spec: string): string[] {
  const [setup, ops] = spec.split(':');
  const names = ops.split('+');
  const out = [spec];
  names.forEach((n, i) => {
    if (OPS[n]?.keyable) out.push(`${setup}:${names.map((m, j) => (j === i ? `${m}#k` : m)).join('+')}`);
  });
  return out;
}

export interface SuiteOptions extends ExploreOptions {
  /** Scenarios run at once (each its own tenant). */
  parallel: number;
  /** The run fails when it explored fewer schedules than this (a budget that shrank unnoticed). */
  minSchedules?: number;
}

/**
 * `seeds`: schedules replayed in every run besides the exploration (a corpus: interleavings and
 * faults that found something once, so a fix is proved by them each time, not by chance).
 */
export function exploreSuite(title: string, specs: string[], knownFailing: string[], o: SuiteOptions, timeoutMs: number, seeds: string[] = []) {
  let restore: () => void;
  const ttl = process.env.AUTHORIZER_CACHE_TTL;
  const lock = process.env.INVENTORY_IDEMPOTENCY_LOCK_SECONDS;
  beforeAll(() => {
    restore = installExplorer();
    // uploads keep their files here, not in the working copy's .local/
    process.env.INVENTORY_BLOB_DIR ??= mkdtempSync(join(tmpdir(), 'inventory-explorer-'));
    // each schedule's key is new; caching it saves the set-up's repeated key lookups (not a boundary anyway)
    process.env.AUTHORIZER_CACHE_TTL = '300';
    // a crashed keyed request is retried once its key's lock has passed: 1 s, not 30
    process.env.INVENTORY_IDEMPOTENCY_LOCK_SECONDS = '1';
  });
  afterAll(() => {
    restore();
    closeReader();
    for (const [k, v] of [
      ['AUTHORIZER_CACHE_TTL', ttl],
      ['INVENTORY_IDEMPOTENCY_LOCK_SECONDS', lock],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  const replay = process.env.EXPLORER_SEED;
  if (replay) {
    test(
      `${title}: replay ${replay}`,
      async () => {
        const { id, picks, fault } = parseSeed(replay);
        const spec = scenario(id); // a seed's scenario id is the spec it was built from
        const r = await runSchedule(spec, picks, () => 0, fault);
        console.log(
          `replay ${r.seed}\n${r.trace.join('\n')}\nanswers: ${r.outcomes.map((x, i) => `op${i} ${x.op.name} ${x.answer.status} ${JSON.stringify(x.answer.body).slice(0, 300)}`).join('\n  ')}\nviolations:\n  ${r.violations.join('\n  ') || 'none'}`,
        );
        expect(r.violations).toEqual([]);
      },
      timeoutMs,
    );
    return;
  }

  test(
    title,
    async () => {
      const scenarios = specs.map(scenario);
      const started = Date.now();
      // EXPLORER_PROGRESS=<file>: a line per scenario as it finishes (jest prints console output at the end)
      const progress = process.env.EXPLORER_PROGRESS;
      const corpus = seeds.map((seed) => async (): Promise<Explored> => {
        const { id, picks, fault } = parseSeed(seed);
        const r = await runSchedule(scenario(id), picks, () => 0, fault);
        // after a change of the write path the same picks may be another interleaving: still a valid schedule, worth a note
        if (r.seed !== seed) console.log(`corpus seed ${seed} now replays as ${r.seed} (the calls changed): refresh it`);
        return { scenario: `${id} (corpus)`, schedules: 1, exhaustive: false, failures: r.violations.length ? [r] : [] };
      });
      const results: Explored[] = await pool(o.parallel, [
        ...corpus,
        ...scenarios.map((sc, i) => async () => {
          const r = await explore(sc, { ...o, seed: o.seed + i * 7919 });
          if (progress)
            appendFileSync(
              progress,
              `${new Date().toISOString().slice(11, 19)} ${r.scenario}: ${r.schedules}${r.exhaustive ? ' (exhaustive)' : ''}${r.failures.length ? ` VIOLATIONS ${r.failures.length}: ${r.failures[0].seed} ${r.failures[0].violations.join(' / ')}` : ''}\n`,
            );
          return r;
        }),
      ]);
      const seconds = (Date.now() - started) / 1000;
      const total = results.reduce((t, r) => t + r.schedules, 0);
      const failing = results.filter((r) => r.failures.length);
      // entries are scenario ids, `*` matching any run of characters (e.g. `*:hot-refused*`)
      const patterns = knownFailing.map((k) => new RegExp(`^${k.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`));
      const known = { has: (id: string) => patterns.some((p) => p.test(id)) };
      const lines = results.map(
        (r) =>
          `  ${r.failures.length ? (known.has(r.scenario) ? 'KNOWN' : 'FAIL ') : 'ok   '} ${r.scenario}: ${r.schedules} schedules${r.exhaustive ? ' (exhaustive)' : ''}${r.failures.length ? `, ${r.failures.length} violating` : ''}`,
      );
      console.log(
        `${title}: ${scenarios.length} scenarios, ${total} schedules in ${seconds.toFixed(1)} s (${(total / seconds).toFixed(1)} schedules/s)\n${lines.join('\n')}\n` +
          failing.map((r) => `  ${r.scenario}:\n    EXPLORER_SEED='${r.failures[0].seed}'\n    ${r.failures[0].violations.join('\n    ')}`).join('\n'),
      );
      const stale = knownFailing.filter((k) => !results.some((r) => r.failures.length && patterns.some((p, i) => knownFailing[i] === k && p.test(r.scenario))));
      if (stale.length) console.log(`KNOWN_FAILING_ON_MAIN entries that found no violation this run (fixed? remove them): ${stale.join(', ')}`);
      const unexpected = failing.filter((r) => !known.has(r.scenario)).map((r) => `${r.failures[0].seed}: ${r.failures[0].violations.join('; ')}`);
      expect(unexpected).toEqual([]);
      expect(total).toBeGreaterThanOrEqual(o.minSchedules ?? 1);
    },
    timeoutMs,
  );
}
