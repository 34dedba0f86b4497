/**
 * The schedule explorer (issue 21, item 4): run two or three requests concurrently through the real
 * code (HTTP layer in process, DynamoDB Local behind the run's front with IAM and conflicts on),
 * hold every DynamoDB call each of them sends, and let a scheduler release one operation at a time.
 * After each schedule the tenant's rows are read raw and the level invariants are checked.
 *
 * - Interception: a middleware on every client the store makes (explorer-ops.ts decorates them),
 *   in the `finalizeRequest` step below the SDK's retry middleware, so each *attempt* is a boundary
 *   and a "lost answer" (the write commits, then the client throws ECONNRESET) is retried by the SDK
 *   exactly as a reset connection would be. Which operation a call belongs to: AsyncLocalStorage.
 * - Scheduling: the scheduler waits until every unfinished operation is parked at a call (none is
 *   between calls), then picks one operation; all its parked calls are released if they are all
 *   reads (parallel Queries of one step), else its oldest one. A schedule is the vector of picks
 *   (index among the operations that have a parked call, in operation order), so it replays exactly.
 * - Exploration, per scenario, within its budget: first every schedule with one preemption (op X runs
 *   k calls, the others run to their end, X finishes; k = 0, 1, 2, … for each X — a read-then-write
 *   race needs no more), then exhaustive depth-first over pick vectors when the space is small
 *   (stateless model checking: rerun from scratch with the next prefix), else seeded "sticky" random
 *   picks; a share of schedules with a fault (a write's answer lost, or the request crashing after a
 *   write and being retried with its Idempotency-Key).
 * - Replay: every schedule has a seed `scenario|picks|fault`; `EXPLORER_SEED='<seed>'` runs that one
 *   schedule only, and prints its trace.
 *
 * Nothing here imports functions/: explorer-ops.ts is the one adapter (it survives the write-path
 * refactor by being rewired there).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { callerFunction, consume, decorateStoreClients, expireAll, invoke, keyFor, materialise, park, pendingRid, uploadRows } from './explorer-ops.ts';
import type { Answer } from './explorer-ops.ts';

// ------------------------------------------------------------------ the world of one schedule

/** What a scenario starts from: one item stocked at two warehouses A and B, an open reservation and a hold at A. */
export interface SetupSpec {
  name: string;
  stockA: number;
  stockB: number;
  /** An open reservation at A of this many units (0: none). */
  reserved: number;
  /** A hold of this many units at A (0: none; made only when an op needs it); it expires in an hour (the expiry op runs the sweep a day ahead). */
  held: number;
  /** Put A in hot mode with this many shards and park its free units first (0: not hot). */
  hot: number;
  /** The item allows backorders up to this limit (undefined: no backorders). */
  backorderLimit?: number;
  /** Hot mode's design at A (`hot_design`; undefined: the transactional shards, named at the set-up). */
  design?: 'escrow' | 'shards';
  /** With the escrow design: a reservation of 1 at A still pending in a shard's map when the schedule starts (line `setup-pending`). */
  pending?: boolean;
}

export interface World {
  tenant: string;
  key: string;
  sku: string;
  iid: string;
  A: string;
  B: string;
  /** The setup's reservation at A (undefined when the setup has none). */
  rid?: string;
  hid?: string;
  /** A transfer of 3 units from A to B (issue 25): a draft (need `draft`), or shipped (need `shipped`). */
  xid?: string;
  /** An inbound record at A with one line of INBOUND_LINE units (when an op needs it). */
  inb?: string;
  /** The setup's reservation pending in an escrow map (`setup.pending`). */
  pid?: string;
  setup: SetupSpec;
}

/** The setup inbound line's quantity. */
export const INBOUND_LINE = 5;

/** The context an operation runs with: its world, a unique tag for notes/references, and its Idempotency-Key (if keyed). */
export interface OpCtx {
  w: World;
  tag: string;
  idemKey?: string;
  http(method: string, path: string, body?: unknown): Promise<Answer>;
}

export interface OpSpec {
  name: string;
  run(c: OpCtx): Promise<Answer>;
  /** A route that takes an Idempotency-Key (the background jobs do not). */
  keyable: boolean;
  /**
   * May legitimately take a level's available below its floor (a stock decrease, a count, a safety
   * stock increase, a stricter backorder policy): the floor check is off in schedules where such an
   * operation was accepted. Reservations, holds and moves never may.
   */
  lowers?: boolean;
  /** Σ stocked over the item's levels changes by exactly this when accepted (undefined: absolute or unknown). */
  stockDelta?: number;
  /** Ledger rows an accepted request writes with note = its tag (undefined: not checked). */
  ledgerRows?: number;
  /** An absolute set: it writes no row when the figure already had its value (another set got there first). */
  absolute?: boolean;
  /** What of the world it needs beyond item, level A and the reservation (each costs set-up requests). */
  needs?: Need[];
  /** A background job run again after it crashed (the stream consumer's batch is handed over again): it may take a crash fault. */
  rerun?: boolean;
  /** Extra truthfulness check on the final state; answers a violation or undefined. */
  check?(c: OpCtx, a: Answer, s: TenantState, others: Outcome[]): string | undefined;
}

export type Need = 'B' | 'hold' | 'draft' | 'shipped' | 'inbound';

export interface Outcome {
  op: OpSpec;
  keyed: boolean;
  answer: Answer;
  tag: string;
}

// ------------------------------------------------------------------ interception

interface Parked {
  op: number;
  seq: number;
  command: string;
  what: string;
  read: boolean;
  go: () => void;
}
const READS = new Set(['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand', 'ScanCommand']);
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'TransactWriteItemsCommand', 'BatchWriteItemCommand']);

const tags = new AsyncLocalStorage<{ s: Schedule; op: number }>();

/** `T#t#I#iid` → `I#iid…` (the tenant is the same for the whole schedule). */
const short = (k: string | undefined) => (k ?? '?').replace(/^T#[^#]+#/, '');
function describe(command: string, input: any): string {
  const key = (k: any) => (k ? `${short(k.PK?.S)}/${short(k.SK?.S)}` : '');
  if (input?.TransactItems) {
    return input.TransactItems.map((t: any) => {
      const [kind, a] = Object.entries(t)[0] as [string, any];
      return `${kind}:${key(a.Key ?? a.Item)}`;
    }).join(' ');
  }
  if (input?.Key) return key(input.Key);
  if (input?.Item) return key(input.Item);
  if (input?.KeyConditionExpression)
    return `${input.IndexName ?? 'table'}:${short(
      Object.values(input.ExpressionAttributeValues ?? {})
        .map((v: any) => v?.S)
        .find(Boolean),
    )}`;
  if (input?.RequestItems) return `${Object.values(input.RequestItems).flatMap((r: any) => r.Keys ?? r).length} keys`;
  return '';
}

let installed = 0;
/**
 * Inside it (the `escrow` set-up's reservation): a reservation row's PutItem is refused as held by a
 * transaction, so the taker leaves its entry pending in the map (store/levels.ts settleOwnEntry) for
 * the consumer, as the schedules start from.
 */
const takerRowsHeld = new AsyncLocalStorage<true>();
/** Install the pausing middleware on the store's clients (refcounted: test files call it in beforeAll). */
export function installExplorer(): () => void {
  if (installed++ === 0) {
    decorateStoreClients((client) =>
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (
            takerRowsHeld.getStore() &&
            /^Put(Item)?Command$/.test(String(context.commandName)) &&
            /"entity":(\{"S":)?"reservation"/.test(JSON.stringify((args as any).input))
          )
            throw Object.assign(new Error('explorer: the row is held'), { name: 'TransactionConflictException', $metadata: {} });
          const tag = tags.getStore();
          // the authorizer's key lookup is not part of the stock write path: not a boundary
          if (!tag || callerFunction() === 'Authorizer') return next(args);
          const command = String(context.commandName);
          // a crashed request sends nothing more (its process is gone): it cannot store its answer
          if (tag.s.crashed[tag.op]) throw Object.assign(new Error('explorer: the request crashed'), { name: 'ExplorerCrash' });
          await tag.s.park(tag.op, command, (args as any).input);
          tag.s.inflight[tag.op]++;
          let out;
          try {
            out = await next(args);
          } finally {
            tag.s.inflight[tag.op]--;
            tag.s.poke();
          }
          const fault = WRITES.has(command) ? tag.s.faultAfterWrite(tag.op) : undefined;
          // the write committed; the caller never learns it: a reset connection, which the SDK retries
          if (fault === 'lost') throw Object.assign(new Error('socket hang up (explorer: lost answer)'), { code: 'ECONNRESET', name: 'Error', $metadata: {} });
          // the write committed and the request dies right after (a Lambda timeout or crash): no retry by the SDK
          if (fault === 'crash') throw Object.assign(new Error('explorer: the request crashed after a write'), { name: 'ExplorerCrash' });
          return out;
        },
        { step: 'finalizeRequest', priority: 'low', name: 'scheduleExplorer' },
      ),
    );
  }
  return () => {
    if (--installed === 0) decorateStoreClients(undefined);
  };
}

// ------------------------------------------------------------------ the scheduler

/**
 * Run `f` (one attempt of the calling operation) so that it dies right after its `write`-th write
 * (0-based, counted from now) commits — a Lambda that crashed after its effect — and let the
 * operation go on afterwards as a new process (its later calls are scheduled as before): an
 * operation's own retry then races the others inside the schedule. Outside a schedule: `f` as is.
 */
export async function crashedAttempt(write: number, f: () => Promise<Answer | void>): Promise<Answer> {
  const tag = tags.getStore();
  if (tag) tag.s.forced[tag.op] = tag.s.writes[tag.op] + write;
  let a: Answer;
  try {
    a = (await f()) ?? { status: 200, body: {} };
  } catch (e) {
    a = { status: 599, body: { thrown: String((e as Error)?.message ?? e) } };
  }
  if (tag) {
    tag.s.forced[tag.op] = undefined;
    tag.s.crashed[tag.op] = false;
  }
  return a;
}

export interface Fault {
  op: number;
  /** After the op's n-th write attempt (0-based) commits: */
  write: number;
  /**
   * `lost`: its answer is lost (ECONNRESET) and the SDK retries the write; `crash`: the request dies
   * (every later call of it fails), answers 5xx, and its client retries it with the same
   * Idempotency-Key once the key's lock has passed.
   */
  kind: 'lost' | 'crash';
}

export class Schedule {
  parked: Parked[] = [];
  inflight: number[];
  done: boolean[];
  writes: number[];
  picks: number[] = [];
  /** Options at each pick (for the depth-first enumeration). */
  options: number[] = [];
  trace: string[] = [];
  faulted = false;
  crashed: boolean[];
  private seq = 0;
  private wake: (() => void) | undefined;
  private events = 0;

  constructor(
    readonly n: number,
    private readonly choose: (options: number, i: number, ready: number[]) => number,
    readonly fault?: Fault,
  ) {
    this.inflight = Array(n).fill(0);
    this.done = Array(n).fill(false);
    this.writes = Array(n).fill(0);
    this.crashed = Array(n).fill(false);
  }

  poke() {
    this.events++;
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  park(op: number, command: string, input: unknown): Promise<void> {
    return new Promise((go) => {
      this.parked.push({ op, seq: this.seq++, command, what: describe(command, input), read: READS.has(command), go });
      this.poke();
    });
  }

  /** An operation's own staged crash (crashedAttempt): after its write number `forced[op]`. */
  forced: (number | undefined)[] = [];

  faultAfterWrite(op: number): Fault['kind'] | undefined {
    const n = this.writes[op]++;
    if (this.forced[op] === n) {
      this.forced[op] = undefined;
      this.crashed[op] = true;
      this.trace.push(`  ↯ op${op} write #${n}: its staged crash (the attempt dies)`);
      return 'crash';
    }
    if (this.fault && !this.faulted && this.fault.op === op && this.fault.write === n) {
      this.faulted = true;
      if (this.fault.kind === 'crash') this.crashed[op] = true;
      this.trace.push(`  ↯ op${op} write #${n}: ${this.fault.kind === 'lost' ? 'answer lost (the SDK retries)' : 'the request crashes'}`);
      return this.fault.kind;
    }
    return undefined;
  }

  /** Every unfinished operation is parked at a call, with nothing of it in flight, and no event for a few turns. */
  private async stable(): Promise<void> {
    // generous: on a loaded 2-core machine one released call has taken over 20 s (CI run of this stop)
    const deadline = Date.now() + 60_000;
    let quietSince = Date.now();
    for (;;) {
      const before = this.events;
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
      if (this.events !== before) {
        quietSince = Date.now();
        continue;
      }
      const ready = this.done.every((d, i) => d || (this.inflight[i] === 0 && this.parked.some((p) => p.op === i)));
      if (ready) return;
      // an operation that waits on another one's parked call (an upload waiting for a processor that
      // is not its own) would wait forever: after a quiet second, go on with the parked ones
      if (Date.now() - quietSince > 1000 && this.parked.length && this.inflight.every((n) => n === 0)) return;
      if (Date.now() > deadline)
        throw new Error(
          `schedule stuck: ${this.done.map((d, i) => `op${i} done=${d} inflight=${this.inflight[i]} parked=${this.parked.filter((p) => p.op === i).length}`).join('; ')}`,
        );
      // someone is between calls (computing, or sleeping before a retry): wait for its next move
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 50).unref();
      });
    }
  }

  async run(ops: (() => Promise<Answer>)[]): Promise<Answer[]> {
    const answers: Answer[] = [];
    const running = ops.map((f, i) =>
      tags
        .run({ s: this, op: i }, () => f())
        .then(
          (a) => {
            answers[i] = a;
          },
          (e) => {
            answers[i] = { status: 599, body: { thrown: String(e?.stack ?? e) } };
          },
        )
        .finally(() => {
          this.done[i] = true;
          this.poke();
        }),
    );
    for (;;) {
      await this.stable();
      if (this.done.every(Boolean)) break;
      const ready = [...new Set(this.parked.map((p) => p.op))].sort((a, b) => a - b);
      const pick = Math.min(this.choose(ready.length, this.picks.length, ready), ready.length - 1);
      this.picks.push(pick);
      this.options.push(ready.length);
      const op = ready[pick];
      const mine = this.parked.filter((p) => p.op === op).sort((a, b) => a.seq - b.seq);
      const go = mine.every((p) => p.read) ? mine : [mine[0]];
      this.parked = this.parked.filter((p) => !go.includes(p));
      for (const p of go) this.trace.push(`  op${op} ${p.command.replace(/Command$/, '')} ${p.what}`);
      for (const p of go) p.go();
    }
    await Promise.all(running);
    return answers;
  }
}

/**
 * A random chooser that mostly keeps running the operation it ran last and switches with a
 * probability drawn per schedule (0.1–0.5): races need one or two switches at the right call, and
 * uniform picks (a switch at every other call) rarely leave an operation alone long enough to get
 * from its read to its write. Picks are still recorded per call, so the seed replays exactly.
 */
export function sticky(rnd: () => number): (i: number, options: number) => number {
  const p = [0.1, 0.2, 0.35, 0.5][Math.floor(rnd() * 4)];
  let last = Math.floor(rnd() * 3);
  return (_i, options) => {
    if (last >= options || rnd() < p) last = Math.floor(rnd() * options);
    return last;
  };
}

/**
 * The chooser of a one-preemption schedule: op `x` gets the first `k` picks it can take, then the
 * others run (lowest index first) until none of them is left, then `x` finishes.
 */
export function preemptAfter(x: number, k: number): (i: number, options: number, ready?: number[]) => number {
  let given = 0;
  return (_i, _options, ready = []) => {
    const xi = ready.indexOf(x);
    if (xi >= 0 && given < k) {
      given++;
      return xi;
    }
    const other = ready.findIndex((op) => op !== x);
    return other >= 0 ? other : Math.max(0, xi);
  };
}

/** mulberry32: a small seeded PRNG (a schedule's random picks come from its seed alone). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ------------------------------------------------------------------ reading the tenant raw

let reader: DynamoDBDocumentClient | undefined;
/** The invariant reader: its own client (`admin`, which the front allows everything), not the store's. */
function raw(): DynamoDBDocumentClient {
  reader ??= DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT, region: 'local', credentials: { accessKeyId: 'admin', secretAccessKey: 'local' } }),
  );
  return reader;
}
export function closeReader() {
  reader?.destroy();
  reader = undefined;
}
const TABLE = () => process.env.TABLE_NAME!;

export interface LevelState {
  wid: string;
  stocked: number;
  reserved: number;
  available: number;
  safety: number;
  /** Units in named states (damaged + quality_control: on hand, not available). */
  states: number;
  /** Units shipped toward the level (not on hand). */
  inTransit: number;
  hotShards: number;
  /** Σ q of the reservations pending in its shards' escrow maps (not yet rows). */
  pending: number;
  /** allot of shard k (k = 0..MAX_PROBE-1; shards beyond hot_shards must be empty). */
  allots: number[];
  row: Record<string, any>;
}
export interface TenantState {
  item?: Record<string, any>;
  levels: Map<string, LevelState>;
  /**
   * Open reservations of the item (every reservation row is open: release and fulfil delete it), and
   * the escrow design's entries still pending in a shard map that never became a row (no marker;
   * `pending: true`): each is a reservation a client was answered with.
   */
  reservations: Record<string, any>[];
  ledger: Record<string, any>[];
  /** The tenant's SKU count (stats row). */
  skuCount: number;
  /** The item's inbound line rows (`IN#…` in its partition). */
  inbound: Record<string, any>[];
}
const MAX_PROBE = 6;

async function queryAll(input: Record<string, any>): Promise<Record<string, any>[]> {
  const out: Record<string, any>[] = [];
  let start: Record<string, any> | undefined;
  do {
    const r = await raw().send(new QueryCommand({ TableName: TABLE(), ...input, ExclusiveStartKey: start } as any));
    out.push(...(r.Items ?? []));
    start = r.LastEvaluatedKey;
  } while (start);
  return out;
}

/** The table's rows of these index entries (consistent BatchGetItem, 100 keys a request). */
async function rowsByKey(entries: Record<string, any>[]): Promise<Record<string, any>[]> {
  const out: Record<string, any>[] = [];
  for (let i = 0; i < entries.length; i += 100) {
    let pending: Record<string, any>[] | undefined = entries.slice(i, i + 100).map((e) => ({ PK: e.PK, SK: e.SK }));
    while (pending?.length) {
      const res: any = await raw().send(new BatchGetCommand({ RequestItems: { [TABLE()]: { Keys: pending, ConsistentRead: true } } }));
      out.push(...(res.Responses?.[TABLE()] ?? []));
      pending = res.UnprocessedKeys?.[TABLE()]?.Keys;
    }
  }
  return out;
}

export async function readTenant(w: World): Promise<TenantState> {
  const T = `T#${w.tenant}`;
  // the SKU count: the legacy stats row and its 16 shards (store/items.ts skuTotal)
  const countRows = Promise.all([
    getRow(`${T}#STATS`, 'STATS'),
    ...Array.from({ length: 16 }, (_, k) => getRow(`${T}#STATS#${String(k).padStart(2, '0')}`, 'SKU_COUNT')),
  ]);
  const [stats, itemPart, ledger, ...resParts] = await Promise.all([
    countRows.then((rows) => ({ sku_count: rows.reduce((n, r) => n + Number(r?.sku_count ?? 0), 0) })),
    queryAll({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': `${T}#I#${w.iid}` }, ConsistentRead: true }),
    queryAll({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': `${T}#I#${w.iid}#ADJ` }, ConsistentRead: true }),
    // GSI1 of reservations: 16 shards and the legacy partition (docs/design.md, "The reservation indexes are sharded")
    ...[...Array.from({ length: 16 }, (_, h) => `${T}#RES#${h}`), `${T}#RES`].map((pk) =>
      queryAll({
        IndexName: 'GSI1i',
        KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :iid)',
        ExpressionAttributeValues: { ':pk': pk, ':iid': `${w.iid}#` },
      }),
    ),
  ]);
  const levels = new Map<string, LevelState>();
  const shardKeys: Record<string, string>[] = [];
  for (const r of itemPart) {
    if (!String(r.SK).startsWith('L#')) continue;
    const wid = String(r.SK).slice(2);
    levels.set(wid, {
      wid,
      stocked: Number(r.stocked_quantity ?? 0),
      reserved: Number(r.reserved_quantity ?? 0),
      available: Number(r.available_quantity ?? 0),
      safety: Number(r.safety_stock ?? 0),
      states: Number(r.damaged_quantity ?? 0) + Number(r.quality_control_quantity ?? 0),
      inTransit: Number(r.in_transit_quantity ?? 0),
      hotShards: Number(r.hot_shards ?? 0),
      pending: 0,
      allots: Array(MAX_PROBE).fill(0),
      row: r,
    });
  }
  // shards are probed for both warehouses, level or not (a shard outliving its level is a violation too)
  for (const wid of [w.A, w.B]) for (let k = 0; k < MAX_PROBE; k++) shardKeys.push({ PK: `${T}#HOT#${w.iid}#${wid}#${k}`, SK: 'HOT' });
  const shards = (await raw().send(new BatchGetCommand({ RequestItems: { [TABLE()]: { Keys: shardKeys, ConsistentRead: true } } }))).Responses?.[TABLE()] ?? [];
  const orphanShards: string[] = [];
  const entries: { rid: string; wid: string; e: Record<string, any> }[] = [];
  for (const s of shards) {
    // T#<tenant>#HOT#<iid>#<wid>#<k> (tenants, ids and k hold no '#')
    const [, , , , wid, k] = String(s.PK).split('#');
    const l = levels.get(wid);
    if (l) l.allots[Number(k)] = Number(s.allot ?? 0);
    else if (Number(s.allot ?? 0) !== 0) orphanShards.push(`${wid}#${k}=${s.allot}`);
    // a map names an entry by its id's first part (store/levels.ts escrowKey)
    const iid = String(s.PK).split('#')[3];
    for (const [key, e] of Object.entries((s.pending ?? {}) as Record<string, any>)) entries.push({ rid: pendingRid(key, iid, wid), wid, e });
  }
  // an entry that became a row once is counted as the row, or not at all: one taken since tombstones
  // (`t`) when its row exists (open, or a released one's tombstone), one before when its marker does
  const marked = await Promise.all(entries.map(async (x) => !!(await getRow(`${T}#R#${x.rid}`, x.e.t ? 'RES' : 'ESCROW'))));
  const pendingRes = entries
    .filter((_, i) => !marked[i])
    .map(({ rid, wid, e }) => {
      const l = levels.get(wid);
      if (l) l.pending += Number(e.q);
      return { id: rid, quantity: Number(e.q), location_id: wid, line_item_id: e.li ?? null, pending: true };
    });
  const state: TenantState = {
    item: itemPart.find((r) => r.SK === 'ITEM'),
    levels,
    // GSI1 is eventually consistent on AWS but immediate on DynamoDB Local, which this reads; it projects
    // no quantity a write changes (lib/table-definition.ts), so the rows are read whole by key
    reservations: [...(await rowsByKey(resParts.flat())), ...pendingRes],
    ledger,
    skuCount: Number(stats?.sku_count ?? 0),
    inbound: itemPart.filter((r) => String(r.SK).startsWith('IN#')),
  };
  (state as any).orphanShards = orphanShards;
  return state;
}

/** For the explorer's self-test only: move a level's reserved (and available) by `by`, as a broken writer would. */
export async function corruptReserved(w: World, wid: string, by: number): Promise<void> {
  await raw().send(
    new UpdateCommand({
      TableName: TABLE(),
      Key: { PK: `T#${w.tenant}#I#${w.iid}`, SK: `L#${wid}` },
      UpdateExpression: 'ADD reserved_quantity :d, available_quantity :m',
      ExpressionAttributeValues: { ':d': by, ':m': -by },
    }),
  );
}

export async function getRow(PK: string, SK: string): Promise<Record<string, any> | undefined> {
  return (await raw().send(new GetCommand({ TableName: TABLE(), Key: { PK, SK }, ConsistentRead: true }))).Item;
}

/**
 * The figures a replayed keyed request must leave exactly as they were (at most once): the exact
 * ones (parked units folded back in), since parking — which a replay of `hot-park` runs again, being
 * the consumer's job, not the request's — moves units without changing any figure a client sees.
 */
export function fingerprint(s: TenantState): string {
  const lv = [...s.levels.values()]
    .sort((a, b) => a.wid.localeCompare(b.wid))
    .map((l) => {
      const parked = l.allots.reduce((a, b) => a + b, 0);
      return `${l.wid}:${l.stocked}/${l.reserved - parked}/${l.available + parked}/${l.safety}/s${l.states}/t${l.inTransit}/h${l.hotShards}`;
    });
  // a pending reservation and its row are one reservation (same id): a replay may see either
  const rs = s.reservations.map((r) => `${r.id ?? r.PK}:${r.quantity}@${r.location_id}`).sort();
  return `${lv.join(' ')} | res ${rs.join(',')} | ledger ${s.ledger.length} | item ${s.item ? 'yes' : 'gone'} | skus ${s.skuCount}`;
}

// ------------------------------------------------------------------ invariants

/**
 * The level invariants, on raw figures (hot shards not folded in):
 * 1. reserved = Σ open reservations at the level + Σ q pending in its shards' escrow maps (entries
 *    without a marker: not yet rows) + Σ allot of its shards (shards k ≥ hot_shards hold 0, and no
 *    shard holds units for a level that is gone);
 * 2. available = stocked − reserved − safety_stock − the named states (damaged, quality_control);
 * 3. Σ over the level's ledger rows (field stocked_quantity) of (after − before) = stocked, and the
 *    same for each named state and in_transit (every move, ship, receipt and cancel writes its rows);
 * 4. parked units are real: while any shard holds units the level's own available is ≥ 0 (a shard
 *    serves reservations with no other check, so a unit parked there must be a free unit);
 * 5. the floor: the exact available (available + Σ allot = stocked − safety − Σ open reservations) is
 *    ≥ −backorder_limit (0 without backorders) — *unless* an accepted request of the schedule may
 *    lower stock legitimately (a count, a decrease, a transfer out, a safety increase, a stricter
 *    policy: `OpSpec.lowers`). Those may take available below the floor by design (stock is what it
 *    is); reservations, holds and moves may not, whatever they race with;
 * 6. every open reservation is at a level that exists;
 * 7. the tenant's SKU count (stats row) counts its items with a sku (no double count on a retried ADD).
 */
export function checkLevels(s: TenantState, lowered: boolean): string[] {
  const v: string[] = [];
  for (const l of s.levels.values()) {
    const open = s.reservations.filter((r) => r.location_id === l.wid && !r.pending).reduce((t, r) => t + Number(r.quantity), 0);
    const parked = l.allots.slice(0, l.hotShards).reduce((a, b) => a + b, 0);
    const stray = l.allots.slice(l.hotShards).reduce((a, b) => a + b, 0);
    if (l.reserved !== open + l.pending + parked)
      v.push(`level ${l.wid}: reserved ${l.reserved} ≠ Σ open reservations ${open}${l.pending ? ` + pending ${l.pending}` : ''} + parked ${parked}`);
    if (stray !== 0) v.push(`level ${l.wid}: ${stray} units in shards beyond hot_shards ${l.hotShards}`);
    if (l.available !== l.stocked - l.reserved - l.safety - l.states)
      v.push(`level ${l.wid}: available ${l.available} ≠ stocked ${l.stocked} − reserved ${l.reserved} − safety ${l.safety} − states ${l.states}`);
    const ledgerOf = (field: string) =>
      s.ledger.filter((r) => r.warehouse_id === l.wid && r.field === field).reduce((t, r) => t + (Number(r.after_quantity) - Number(r.before_quantity)), 0);
    const ledger = ledgerOf('stocked_quantity');
    if (ledger !== l.stocked) v.push(`level ${l.wid}: Σ ledger ${ledger} ≠ stocked ${l.stocked}`);
    for (const field of ['damaged_quantity', 'quality_control_quantity', 'in_transit_quantity'])
      if (ledgerOf(field) !== Number(l.row[field] ?? 0))
        v.push(`level ${l.wid}: Σ ledger of ${field} ${ledgerOf(field)} ≠ ${field} ${Number(l.row[field] ?? 0)}`);
    if (parked + stray > 0 && l.available < 0)
      v.push(`level ${l.wid}: ${parked + stray} units parked in shards while the level's own available is ${l.available} (parked units that do not exist)`);
    const floor = s.item?.allow_backorder ? -Number(s.item.backorder_limit ?? Infinity) : 0;
    const exact = l.available + parked + stray;
    if (!lowered && exact < floor) v.push(`level ${l.wid}: available ${exact} below its floor ${floor} with no stock decrease accepted (oversold)`);
  }
  // the world has one item with a sku: the tenant's SKU count is 1 while it exists, 0 after its delete
  const skus = s.item?.sku ? 1 : 0;
  if (s.skuCount !== skus) v.push(`the tenant's sku count is ${s.skuCount} with ${skus} item(s) with a sku`);
  const seen = new Set<string>();
  for (const r of s.reservations) {
    if (seen.has(r.id)) v.push(`reservation ${r.id} is both a row and pending in a shard map with no marker (counted twice)`);
    seen.add(r.id);
  }
  for (const r of s.reservations)
    if (!s.levels.has(r.location_id)) v.push(`reservation ${r.id} (${r.quantity}) is open at ${r.location_id}, which has no level`);
  for (const o of (s as any).orphanShards ?? []) v.push(`shard ${o} holds units for a level that is gone`);
  return v;
}

// ------------------------------------------------------------------ scenarios and schedules

export interface Scenario {
  id: string;
  setup: SetupSpec;
  ops: { op: OpSpec; keyed: boolean }[];
}

export const scenarioId = (setup: SetupSpec, ops: { op: OpSpec; keyed: boolean }[]) =>
  `${setup.name}:${ops.map((o) => `${o.op.name}${o.keyed ? '#k' : ''}`).join('+')}`;

let counter = 0;
const uniq = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

/** Build the world (no tag: nothing of it is paused). */
export async function makeWorld(setup: SetupSpec, needs: Set<Need> = new Set(['B', 'hold'])): Promise<World> {
  const tenant = `t-x${uniq()}${Math.random().toString(36).slice(2, 6)}`;
  const key = await keyFor(tenant);
  const sku = `EX-${uniq()}`;
  const ok = (a: Answer, what: string) => {
    if (a.status >= 300) throw new Error(`setup ${what}: ${a.status} ${JSON.stringify(a.body)}`);
    return a.body;
  };
  const A = ok(await invoke(key, 'POST', '/api/warehouses', { name: 'A' }), 'warehouse A').data.id;
  const B = ok(await invoke(key, 'POST', '/api/warehouses', { name: 'B' }), 'warehouse B').data.id;
  const itemBody: Record<string, unknown> = { sku };
  if (setup.backorderLimit !== undefined) Object.assign(itemBody, { allow_backorder: true, backorder_limit: setup.backorderLimit });
  const iid = ok(await invoke(key, 'POST', '/admin/inventory-items', itemBody), 'item').inventory_item.id;
  ok(await invoke(key, 'POST', `/admin/inventory-items/${iid}/location-levels`, { location_id: A, stocked_quantity: setup.stockA }), 'level A');
  if (needs.has('B'))
    ok(await invoke(key, 'POST', `/admin/inventory-items/${iid}/location-levels`, { location_id: B, stocked_quantity: setup.stockB }), 'level B');
  const w: World = { tenant, key, sku, iid, A, B, setup };
  if (setup.reserved) {
    w.rid = ok(
      await invoke(key, 'POST', '/admin/reservations', { inventory_item_id: iid, location_id: A, quantity: setup.reserved, line_item_id: 'setup-line' }),
      'reservation',
    ).reservation.id;
  }
  if (setup.held && needs.has('hold')) {
    w.hid = ok(
      await invoke(key, 'POST', '/api/holds', { reference: 'setup-hold', lines: [{ sku, quantity: setup.held, warehouse_id: A }], expires_in_seconds: 3600 }),
      'hold',
    ).data.id;
  }
  if (needs.has('draft') || needs.has('shipped')) {
    w.xid = ok(
      await invoke(key, 'POST', '/api/transfers', { from_warehouse_id: A, to_warehouse_id: B, lines: [{ sku, quantity: 3 }], reference: 'setup-transfer' }),
      'transfer',
    ).data.id;
    if (needs.has('shipped')) ok(await invoke(key, 'POST', `/api/transfers/${w.xid}/ship`), 'ship');
  }
  if (needs.has('inbound')) {
    w.inb = ok(
      await invoke(key, 'POST', '/api/inbound', {
        type: 'purchase_order',
        reference: 'setup-po',
        warehouse_id: A,
        lines: [{ sku, quantity: INBOUND_LINE, expected_at: '2026-12-20' }],
      }),
      'inbound',
    ).data.id;
  }
  if (setup.hot) {
    // a set-up that names no design explores the transactional shards (the `escrow` set-up names its own)
    const body = { hot_shards: setup.hot, hot_design: setup.design ?? 'shards' };
    ok(await invoke(key, 'POST', `/admin/inventory-items/${iid}/location-levels/${A}`, body), 'hot on');
    await park(tenant, iid, A);
  }
  if (setup.pending) {
    // the park above taught this process that A is hot (and its design): this take lands in a shard's
    // map, and stays there (its taker's row write refused: takerRowsHeld)
    const answer = await takerRowsHeld.run(true, () =>
      invoke(key, 'POST', '/admin/reservations', { inventory_item_id: iid, location_id: A, quantity: 1, line_item_id: 'setup-pending' }),
    );
    const p = ok(answer, 'pending reservation');
    w.pid = p.reservation.id;
    if (await getRow(`T#${tenant}#R#${w.pid}`, 'RES')) throw new Error('set-up: the pending reservation is a row already');
  }
  return w;
}

export interface ScheduleResult {
  seed: string;
  picks: number[];
  options: number[];
  violations: string[];
  trace: string[];
  outcomes: Outcome[];
}

function idsIn(body: unknown): string {
  const found = new Set<string>();
  const walk = (v: unknown) => {
    // an escrow reservation's id names its level: res_<26>:<iid>:<wid>
    if (typeof v === 'string' && /^[a-z]+_[0-9A-Za-z]{8,}(:[\w-]+:[\w-]+)?$/.test(v)) found.add(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(body);
  return [...found].sort().join(',');
}

/** How long a claimed Idempotency-Key whose request died blocks its retry (the suite sets 1 s). */
export const lockMs = () => 1000 * Number(process.env.INVENTORY_IDEMPOTENCY_LOCK_SECONDS || 30);
/** 409 naming the Idempotency-Key: the first request with this key still holds it. */
const inProgress = (a: Answer) => a.status === 409 && /Idempotency-Key/i.test(JSON.stringify(a.body));

/** Answers that say "nothing was done" (a refusal). 409 "in progress" of a key is one too. */
const refused = (a: Answer) => a.status >= 400 && a.status < 500;

/** Run one schedule of `sc`: `picks` first (then the chooser), a fault or none. */
export async function runSchedule(
  sc: Scenario,
  prefix: number[],
  rest: (i: number, options: number, ready?: number[]) => number,
  fault?: Fault,
): Promise<ScheduleResult> {
  const t0 = Date.now();
  const w = await makeWorld(sc.setup, new Set(sc.ops.flatMap((o) => o.op.needs ?? [])));
  const t1 = Date.now();
  const ctxs: OpCtx[] = sc.ops.map(({ op, keyed }, i) => {
    const tag = `x${i}-${uniq()}`;
    const idemKey = keyed ? `idem-${tag}` : undefined;
    return {
      w,
      tag,
      idemKey,
      http: (method, path, body) => invoke(w.key, method, path, body, idemKey ? { 'idempotency-key': idemKey } : {}),
    };
  });
  const before = await readTenant(w);
  const s = new Schedule(sc.ops.length, (options, i, ready) => (i < prefix.length ? prefix[i] : rest(i, options, ready)), fault);
  const answers = await s.run(
    sc.ops.map(
      ({ op }, i) =>
        () =>
          op.run(ctxs[i]),
    ),
  );
  // a crashed keyed request: its client retries it with the same key once the key's lock has passed
  for (const [i, { op }] of sc.ops.entries()) {
    if (!s.crashed[i]) continue;
    for (let attempt = 0; attempt < 5; attempt++) {
      await new Promise((r) => setTimeout(r, lockMs() + 100));
      answers[i] = await op.run(ctxs[i]);
      if (answers[i].status < 500 && !inProgress(answers[i])) break;
    }
    s.trace.push(`  op${i} retried after its crash: ${answers[i].status}`);
  }
  const outcomes: Outcome[] = sc.ops.map(({ op, keyed }, i) => ({ op, keyed, answer: answers[i], tag: ctxs[i].tag }));
  const t2 = Date.now();
  const after = await readTenant(w);
  if (process.env.EXPLORER_DEBUG) console.log(`setup ${t1 - t0} ms, schedule ${t2 - t1} ms, read ${Date.now() - t2} ms, ${s.picks.length} picks`);
  const v: string[] = [];
  const accepted = outcomes.filter((o) => o.answer.status < 300);
  const lowered = accepted.some((o) => o.op.lowers);
  v.push(...checkLevels(after, lowered));
  for (const [i, o] of outcomes.entries()) {
    // a request the schema refuses never reaches the write path: the catalogue's mistake, not a finding
    if (o.answer.body?.code === 'VALIDATION_ERROR') v.push(`op${i} ${o.op.name}: the explorer sent a malformed request: ${o.answer.body.message}`);
    if (o.answer.status >= 500) v.push(`op${i} ${o.op.name} answered ${o.answer.status}: ${JSON.stringify(o.answer.body).slice(0, 300)}`);
    const mine = after.ledger.filter((r) => r.note === o.tag).length;
    if (o.op.ledgerRows !== undefined) {
      if (refused(o.answer) && mine) v.push(`op${i} ${o.op.name} was refused (${o.answer.status}) but wrote ${mine} ledger rows`);
      if (o.answer.status < 300 && o.answer.status >= 200 && mine !== o.op.ledgerRows && !(o.op.absolute && mine === 0))
        v.push(`op${i} ${o.op.name} accepted, wrote ${mine} ledger rows (expected ${o.op.ledgerRows})`);
    }
    const extra = o.op.check?.(
      ctxs[i],
      o.answer,
      after,
      outcomes.filter((x) => x !== o),
    );
    if (extra) v.push(`op${i} ${o.op.name}: ${extra}`);
  }
  // no unit created or lost: when every accepted request is relative, Σ (stocked + in transit) moves by their sum
  if (accepted.every((o) => o.op.stockDelta !== undefined) && outcomes.every((o) => o.answer.status < 500)) {
    const sum = (st: TenantState) => [...st.levels.values()].reduce((t, l) => t + l.stocked + l.inTransit, 0);
    const want = sum(before) + accepted.reduce((t, o) => t + (o.op.stockDelta ?? 0), 0);
    const gone = [...before.levels.keys()].some((k) => !after.levels.has(k));
    if (!gone && sum(after) !== want) v.push(`Σ stocked + in transit ${sum(after)}, expected ${want} from the accepted requests (a unit created or lost)`);
  }
  // a keyed request: its replay answers the same and changes nothing (applied at most once)
  const fpBefore = fingerprint(after);
  for (const [i, o] of outcomes.entries()) {
    // only an applied request (2xx) must replay the same: a refusal releases its key, and the same
    // body runs afresh on today's state (README, Keys and idempotency), which may rightly differ
    if (!o.keyed || o.answer.status >= 300) continue;
    const again = await sc.ops[i].op.run(ctxs[i]);
    if (again.status !== o.answer.status || idsIn(again.body) !== idsIn(o.answer.body))
      v.push(
        `op${i} ${o.op.name} keyed: first answer ${o.answer.status} [${idsIn(o.answer.body)}], replay ${again.status} [${idsIn(again.body)}] ${JSON.stringify(again.body).slice(0, 200)}`,
      );
  }
  if (outcomes.some((o) => o.keyed && o.answer.status < 300)) {
    const fpAfter = fingerprint(await readTenant(w));
    if (fpAfter !== fpBefore) v.push(`replaying the keyed requests changed state:\n    ${fpBefore}\n  → ${fpAfter}`);
  }
  const seed = `${sc.id}|${s.picks.join('')}|${fault ? `${fault.kind === 'lost' ? 'f' : 'c'}${fault.op}.${fault.write}` : '-'}`;
  return { seed, picks: s.picks, options: s.options, violations: v, trace: s.trace, outcomes };
}

export function parseSeed(seed: string): { id: string; picks: number[]; fault?: Fault } {
  const [id, picks, f] = seed.split('|');
  const m = /^([fc])(\d+)\.(\d+)$/.exec(f ?? '');
  return { id, picks: [...(picks ?? '')].map(Number), fault: m ? { kind: m[1] === 'f' ? 'lost' : 'crash', op: Number(m[2]), write: Number(m[3]) } : undefined };
}

/**
 * A fault for one schedule: which op, which of its first three writes; a crash only for a keyed op
 * (its client can retry it) or a background job that is run again after a crash (`rerun`).
 */
function pickFault(sc: Scenario, rnd: () => number): Fault {
  const op = Math.floor(rnd() * sc.ops.length);
  const kind = (sc.ops[op].keyed || sc.ops[op].op.rerun) && rnd() < 0.5 ? 'crash' : 'lost';
  return { op, write: Math.floor(rnd() * 3), kind };
}

export interface ExploreOptions {
  /** Most schedules for this scenario. */
  budget: number;
  /** Enumerate exhaustively when the first run's space estimate (Π options) is at most this. */
  exhaustiveUpTo: number;
  /** Share of random schedules that lose one write's answer. */
  faultRate: number;
  seed: number;
}

export interface Explored {
  scenario: string;
  schedules: number;
  exhaustive: boolean;
  failures: ScheduleResult[];
}

/**
 * Explore one scenario: depth-first over every pick vector while that is within budget (the first
 * run's Π options estimates the space), else `budget` seeded random schedules, some with a lost answer.
 */
export async function explore(sc: Scenario, o: ExploreOptions): Promise<Explored> {
  // a schedule that throws (a stuck schedule, the reader failing) is reported as one, not the end of the run
  const attempt = async (...args: Parameters<typeof runSchedule>): Promise<ScheduleResult> => {
    for (let tries = 0; ; tries++) {
      try {
        return await runSchedule(...args);
      } catch (e) {
        const text = String((e as Error)?.stack ?? e);
        // the machine too slow for this run of it (the modelled Lambda timeout, a call in flight past
        // the stuck limit), not the code wrong: the same schedule once more, on a fresh tenant
        if (tries === 0 && /TimeoutError|schedule stuck/.test(text)) continue;
        return { seed: `${sc.id}|?|-`, picks: [], options: [], violations: [`the schedule threw: ${text.slice(0, 400)}`], trace: [], outcomes: [] };
      }
    }
  };
  const failures: ScheduleResult[] = [];
  let schedules = 0;
  const record = (r: ScheduleResult) => {
    schedules++;
    if (r.violations.length) failures.push(r);
  };
  // 1. every schedule with one preemption, fewest steps first: op X runs k calls, then the others
  //    to their end, then X (a read-then-write race needs exactly this: k = the calls up to X's read)
  const bounded = new Set<string>();
  const open = new Set(sc.ops.map((_, x) => x));
  for (let k = 0; open.size && schedules < o.budget; k++) {
    for (const x of [...open]) {
      if (schedules >= o.budget) break;
      const r = await attempt(sc, [], preemptAfter(x, k));
      if (bounded.has(r.seed)) {
        open.delete(x); // X had fewer than k calls: this is the schedule of k − 1 again
        continue;
      }
      bounded.add(r.seed);
      record(r);
    }
  }
  if (schedules >= o.budget) return { scenario: sc.id, schedules, exhaustive: false, failures };
  const first = await attempt(sc, [], () => 0);
  record(first);
  const space = first.options.reduce((a, b) => a * b, 1);
  if (space <= o.exhaustiveUpTo) {
    // stateless depth-first: the next vector raises the last pick that has an option left
    let last = first;
    let complete = false;
    for (;;) {
      let i = last.options.length - 1;
      while (i >= 0 && last.picks[i] + 1 >= last.options[i]) i--;
      complete = i < 0;
      if (complete || schedules >= o.budget) break;
      last = await attempt(sc, [...last.picks.slice(0, i), last.picks[i] + 1], () => 0);
      record(last);
    }
    // then schedules of the same space with one write's answer lost (which op, which write, which picks: seeded)
    const rnd = prng(o.seed ^ 0x9e3779b9);
    const faulted = Math.min(o.budget - schedules, Math.ceil(schedules * o.faultRate));
    for (let f = 0; f < faulted; f++) {
      record(await attempt(sc, [], sticky(rnd), pickFault(sc, rnd)));
    }
    return { scenario: sc.id, schedules, exhaustive: complete, failures };
  }
  const rnd = prng(o.seed);
  while (schedules < o.budget) {
    const fault = rnd() < o.faultRate ? pickFault(sc, rnd) : undefined;
    record(await attempt(sc, [], sticky(rnd), fault));
  }
  return { scenario: sc.id, schedules, exhaustive: false, failures };
}

/** Run `tasks` with at most `n` at once (schedules of different tenants are independent). */
export async function pool<T>(n: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        out[i] = await tasks[i]();
      }
    }),
  );
  return out;
}

export { consume, expireAll, materialise, park, uploadRows };
