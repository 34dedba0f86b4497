/**
 * The schedule explorer's long run: every operation of the catalogue against every other that meets
 * it at a level, under the setups where they differ (plain, hot mode, backorders, both), each with an
 * Idempotency-Key on either side too, and some three-way races, exhaustive where a pair's space is
 * small, else seeded random, a share of them with a write's answer lost. See
 * test/integration/schedule-explorer.test.ts for the seeds.
 *
 * Two sizes:
 * - `npm run explore` (EXPLORER_FULL=1): every scenario (1,930: 1,506 + 316 of issue 25's moves + 108 of the escrow design),
 *   ≥ 5,000 schedules, about an hour on a 2-core machine (the moves' 316 × 4 took 696 s here). Run it
 *   after a change of the write path, before it merges (docs/testing.md).
 * - the scale project (`npm run test:all`, CI): a seeded sample of EXPLORER_SAMPLE scenarios (default
 *   160 of the 1,506) plus EXPLORER_MOVE_SAMPLE of the moves' 316 (default 60: 155 s here with the
 *   machine's 2 cores loaded ~6×), two schedules each, a different sample per EXPLORER_RANDOM_SEED,
 *   plus the corpus below on every run. EXPLORER_MATCH=<regex> keeps the chosen scenarios whose id
 *   matches.
 */
import { exploreSuite, keyedVariants } from '../support/explorer-suite.ts';
import { OPS } from '../support/explorer-catalogue.ts';
import { prng } from '../support/explorer.ts';

/** The writes that meet at level A (the stock and reservation side) ... */
const LEVEL_WRITES = [
  'reserve',
  'reserve-6',
  'release',
  'fulfil',
  'grow',
  'move',
  'count',
  'level-count',
  'adjust-down',
  'adjust-up',
  'transfer',
  'bulk',
  'upload',
  'hold-create',
  'safety-up',
  'reconcile',
];
/** ... and the ones that change what guards it (mode, policy, flags, existence) or that the background runs. */
const SWITCHES = [
  'hot-on',
  'hot-off',
  'hot-park',
  'park',
  'hot-refused',
  'backorder-on',
  'backorder-off',
  'readonly-on',
  'level-delete',
  'item-delete',
  'warehouse-delete',
  'hold-fulfil',
  'hold-release',
  'hold-expire',
];

const pairs: string[] = [];
for (let i = 0; i < LEVEL_WRITES.length; i++) {
  // write × write, plain and hot
  for (let j = i; j < LEVEL_WRITES.length; j++) for (const setup of ['plain', 'hot']) pairs.push(`${setup}:${LEVEL_WRITES[i]}+${LEVEL_WRITES[j]}`);
  // write × switch, under the setup where the switch matters
  for (const s of SWITCHES) {
    const setup = s === 'backorder-off' ? 'backorder' : s === 'hot-off' || s === 'park' ? 'hot' : 'plain';
    pairs.push(`${setup}:${LEVEL_WRITES[i]}+${s}`);
  }
}
for (const w of ['reserve', 'reserve-6', 'grow', 'hold-create', 'count']) pairs.push(`hot-backorder:${w}+backorder-off`, `hot-backorder:${w}+park`);
// inbound receipts (issue 25) against every level write, each other, a cancel and the deletes they block
for (const w of LEVEL_WRITES) pairs.push(`plain:inbound-receive+${w}`);
pairs.push(
  'plain:inbound-receive+inbound-receive',
  'plain:inbound-receive+inbound-cancel',
  'hot:inbound-receive+reserve-6',
  'hot:inbound-receive+park',
  'plain:inbound-cancel+count',
  'plain:inbound-cancel+item-delete',
  'plain:inbound-receive+readonly-on',
);
/**
 * Issue 25's moves of stock — a state move at A (available → damaged) and the setup transfer's ship,
 * receive and cancel (3 units A → B) — against every level write (reservations, counts, adjustments,
 * transfers, bulk, uploads, holds, safety, reconcile), what guards their levels (existence, read-only,
 * hot mode), a hot level, and each other. Sampled on their own in CI (MOVE_SAMPLE below).
 */
const STOCK_MOVES = ['state-move', 'ship', 'receive', 'transfer-cancel'];
const movePairs: string[] = [];
for (const m of STOCK_MOVES) {
  for (const w of [...LEVEL_WRITES, 'hold-fulfil', 'hold-release']) movePairs.push(`plain:${m}+${w}`);
  for (const s of ['level-delete', 'item-delete', 'warehouse-delete', 'readonly-on', 'hot-park']) movePairs.push(`plain:${m}+${s}`);
  movePairs.push(`hot:${m}+reserve-6`, `hot:${m}+park`);
}
movePairs.push(
  'plain:state-move+state-move',
  'plain:ship+ship',
  'plain:state-move+ship',
  'plain:receive+receive',
  'plain:receive+transfer-cancel',
  'plain:transfer-cancel+transfer-cancel',
  'plain:state-move+receive',
  'plain:state-move+transfer-cancel',
);
const triples = [
  'hot:reserve+reserve-6+park',
  'plain:count+hot-on+park',
  'hot:reserve-6+count+park',
  'hot-backorder:reserve-6+backorder-off+reserve',
  'plain:hold-create+reserve+adjust-down',
  'plain:move+level-delete+reserve',
];

/**
 * Hot mode's escrow design (issue 22; the `escrow` set-up: A hot with hot_design escrow and a
 * reservation of 1 pending in a shard map): every level write against the consumer's turn
 * (materialise) and against its crash after the row, before the map removal (materialise-crashed);
 * a keyed take that dies before materialisation, retried inside the schedule against each of them
 * (reserve-crashed#k); the switches (design, hot mode off, stock writes pulling parked units) against
 * a take. Sampled on their own in CI (ESCROW_SAMPLE below).
 */
const escrowPairs: string[] = [];
for (const w of LEVEL_WRITES) escrowPairs.push(`escrow:${w}+materialise`, `escrow:${w}+materialise-crashed`);
for (const s of ['materialise', 'materialise-crashed', 'reserve', 'reserve-6', 'count', 'design-shards', 'release-pending'])
  escrowPairs.push(`escrow:reserve-crashed#k+${s}`);
for (const s of ['design-shards', 'hot-off', 'hot-refused', 'park', 'release-pending', 'reconcile', 'level-delete', 'item-delete'])
  escrowPairs.push(`escrow:reserve+${s}`);
escrowPairs.push(
  'escrow:release-pending+materialise-crashed',
  'escrow:materialise+materialise-crashed',
  'hot:design-escrow+reserve',
  'hot:design-escrow+reserve-6',
);
const escrowTriples = ['escrow:reserve+reserve-6+materialise', 'escrow:reserve-crashed#k+reserve+materialise'];

const baseSpecs = [...pairs.flatMap(keyedVariants), ...triples];
const moveSpecs = movePairs.flatMap(keyedVariants);
const escrowSpecs = [...escrowPairs.flatMap(keyedVariants), ...escrowTriples];
const specs = [...baseSpecs, ...moveSpecs, ...escrowSpecs];
for (const s of specs) for (const n of s.split(':')[1].split('+')) if (!OPS[n.replace(/#k$/, '')]) throw new Error(`unknown op in ${s}`);

/**
 * Scenarios known to find violations (reported, not failed; `*` matches any run of characters).
 * Empty: the defects the explorer found (issue 21) are fixed. A new finding is fixed, not listed.
 */
export const KNOWN_FAILING_ON_MAIN: string[] = [];

/** Schedules that found something once, replayed on every run (the interleaving; the fault, if any, is in the seed). */
const CORPUS = [
  // a keyed hold release whose answer could not be stored replayed a bare "applied once" (test/api/idempotency-answer-not-kept.test.ts)
  'plain:level-count+hold-release#k|11111000|-',
];

const full = process.env.EXPLORER_FULL === '1';
const seed = Number(process.env.EXPLORER_RANDOM_SEED ?? 5000);
// the sample: EXPLORER_SAMPLE of the pairs before issue 25's moves (the same ones as before they were
// added, for the same seed), plus EXPLORER_MOVE_SAMPLE of the moves' pairs and EXPLORER_ESCROW_SAMPLE
// of the escrow design's
const chosen = full
  ? [...specs]
  : [
      ...sample(baseSpecs, Number(process.env.EXPLORER_SAMPLE ?? 160), seed),
      ...sample(moveSpecs, Number(process.env.EXPLORER_MOVE_SAMPLE ?? 60), seed),
      ...sample(escrowSpecs, Number(process.env.EXPLORER_ESCROW_SAMPLE ?? 20), seed),
    ];
// EXPLORER_MATCH=<regex>: only the chosen scenarios whose id matches (e.g. `ship|receive|transfer-cancel|state-move`)
const match = process.env.EXPLORER_MATCH ? new RegExp(process.env.EXPLORER_MATCH) : undefined;
if (match) chosen.splice(0, chosen.length, ...chosen.filter((s) => match.test(s)));
const budget = Number(process.env.EXPLORER_BUDGET ?? (full ? 4 : 2));

exploreSuite(
  `schedule explorer (${chosen.length} of ${specs.length} scenarios)`,
  chosen,
  KNOWN_FAILING_ON_MAIN,
  {
    parallel: Number(process.env.EXPLORER_PARALLEL ?? 4),
    // full: ≥ 5,000 in all (1,930 scenarios × 4; every pair's space is larger than 4)
    budget,
    exhaustiveUpTo: 24,
    minSchedules: full && !process.env.EXPLORER_BUDGET ? 5000 : chosen.length,
    faultRate: 0.25,
    seed,
  },
  6 * 3600_000,
  CORPUS,
);

/** `n` of `all`, the same ones for the same seed (a seeded Fisher–Yates shuffle, then the first n in catalogue order). */
function sample(all: string[], n: number, s: number): string[] {
  if (n >= all.length) return all;
  const rand = prng(s);
  const idx = all.map((_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx
    .slice(0, n)
    .sort((a, b) => a - b)
    .map((i) => all[i]);
}
