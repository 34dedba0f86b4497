/**
 * The DynamoDB front: a small HTTP proxy in front of DynamoDB Local that speaks its JSON protocol
 * (X-Amz-Target + JSON body) and adds what DynamoDB Local lacks but AWS enforces, each switchable
 * (docs/operations.md, "The DynamoDB front", which names the AWS documentation behind every modelled number):
 *
 * - IAM per function: the access key id of the SigV4 `Authorization` header is the calling
 *   function's name (the local runtime gives each function its own); the call must be allowed by
 *   that function's declared table access (lib/access.ts, the same declarations the stack's grants
 *   come from), on the table or, for a Query of an index, on `<table>/index/<name>`. Otherwise HTTP
 *   400 `AccessDeniedException`, as AWS answers. Any other access key id (`admin`: set-up, table
 *   creation, the CLI, tests' own clients) is allowed everything.
 * - Transaction conflicts: the items of a TransactWriteItems are held from its arrival for the
 *   modelled hold T ÷ scale (T fixed, or drawn from a log-normal with T as median and a given p99),
 *   and it is answered no earlier. A TransactWriteItems / TransactGetItems touching a held item is
 *   cancelled (`TransactionCanceledException`, reason `TransactionConflict` for that item, `None`
 *   for the others); a PutItem / UpdateItem / DeleteItem / BatchWriteItem on one fails with
 *   `TransactionConflictException`. A TransactGetItems takes a hold of its own on its items: any
 *   write to one of them meanwhile (plain writes included) cancels the read.
 * - Throughput: writes and reads charged by item size (the larger of before and after; 1 KB write /
 *   4 KB read units, transactions ×2), on the table and on every index entry a write changes (an
 *   index key or a projected attribute: an update of attributes an index does not project writes
 *   nothing to it); token
 *   buckets (one second deep) per physical partition (partition-key values hashed onto as many
 *   partitions as the table's throughput needs) and per table / index (a new on-demand table's
 *   4,000 write / 12,000 read units/s, doubling per 30 minutes, up to the 40,000 quota, or the
 *   configured warm throughput), all times a scale factor. A request that finds a bucket it needs
 *   empty gets `ProvisionedThroughputExceededException`; a batch answers the items it could not
 *   serve as `UnprocessedItems` / `UnprocessedKeys` instead.
 * - Index lag: a Query of an index sees a write only a configurable time after it was made.
 */
import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer, request as httpRequest, Agent } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { TABLE } from '../table-definition.ts';
import type { TableGrant } from '../access.ts';
import { itemSize, readUnits, writeUnits } from './item-size.ts';

export interface FrontOptions {
  /** DynamoDB Local's endpoint, e.g. http://127.0.0.1:8000 */
  target: string;
  /** Port to listen on (0: a free one). */
  port?: number;
  /** Function name → its table grant (lib/functions.ts tableGrants()); IAM is off without it. */
  grants?: Map<string, TableGrant | undefined>;
  iam?: boolean;
  conflicts?: boolean;
  /** Modelled hold of a transaction at full scale (its median when `commitP99Ms` is set), ms. Held T ÷ scale. */
  commitMs?: number;
  /** > commitMs: each hold drawn from a log-normal with median commitMs and this 99th percentile; 0: fixed. */
  commitP99Ms?: number;
  /** A TransactGetItems holds its items for its own hold and is cancelled by any write to them (with conflicts). */
  txGetHolds?: boolean;
  throughput?: boolean;
  /** Partition and table limits times this factor (0.1: 100 WCU/s and 300 RCU/s per partition), and holds ÷ it. */
  scale?: number;
  /** Table-level buckets (a new on-demand table's throughput, growth, quota, warm throughput). */
  tableLimits?: boolean;
  /** Partition-key values hashed onto physical partitions (as many as the table throughput needs); off: one bucket per value. */
  hashedPartitions?: boolean;
  /** Warm throughput of the table (and each index), write / read units per second (0: none). */
  warmWrites?: number;
  warmReads?: number;
  /** Table-level throughput quota, units/s (AWS default 40,000). */
  tableQuota?: number;
  /** Index queries see a write only this long after it, ms (0: at once). */
  indexLagMs?: number;
  /** When the modelled on-demand table was created (ms since the epoch; its growth counts from there). Default: the front's start. */
  tableCreatedAt?: number;
}

export interface FrontStats {
  requests: number;
  /** What each function (a name in `grants`) was allowed to do: `<function>\t<action>\t<table|index>`, one entry each. */
  used: Set<string>;
  denied: { identity: string; action: string; resource: string }[];
  /** TransactionCanceledException (conflict) answers. */
  txConflicts: number;
  /** TransactionConflictException answers (single-item writes). */
  writeConflicts: number;
  throttled: number;
  /** Items / keys answered as unprocessed in partial batch answers. */
  unprocessed: number;
  /** Write and read units charged (by item size), table and indexes. */
  writeUnits: number;
  /** Of writeUnits, those charged to index partitions. */
  indexWriteUnits: number;
  /** writeUnits per `<identity>\t<operation>` (who spends the write capacity). */
  writeUnitsBy: Map<string, number>;
  readUnits: number;
  /** Reads of DynamoDB Local the front made itself to learn item sizes and images. */
  imageReads: number;
  /**
   * Index entries written (put or deleted) per `<index>\t<index partition-key value>`, by the writes the
   * front saw succeed while it sized items (throughput limits or index lag on).
   */
  indexWrites: Map<string, number>;
  /** Throttled answers per empty bucket (`w:<table>[/<index>]#<partition>`, `wT:<table>[/<index>]` for the table's), a request counted once per bucket it found empty. */
  throttledBuckets: Map<string, number>;
}

export type ResolvedFrontOptions = Required<Omit<FrontOptions, 'grants' | 'port'>>;

export interface DynamoFront {
  endpoint: string;
  port: number;
  options: ResolvedFrontOptions;
  stats: FrontStats;
  resetStats(): void;
  /** The physical partition a partition-key value of the table hashes to now (0 when partitions are not hashed). */
  partitionOf(pkValue: string): number;
  stop(): Promise<void>;
}

/**
 * Default hold of a transaction, T. AWS publishes no figure for how long a transaction holds its
 * items; a public in-region measurement (TransactWriteItems of small items from a Lambda function)
 * gave p50 ≈ 25 ms, p99 ≈ 90 ms. The median is the default; DYNAMO_FRONT_COMMIT_P99_MS=90 draws
 * each hold from a log-normal with that median and tail.
 */
export const DEFAULT_COMMIT_MS = 25;
export const MEASURED_COMMIT_P99_MS = 90;
/** Per partition (AWS Developer Guide, "Partitions and data distribution" / burst and adaptive capacity). */
export const PARTITION_WCU = 1000;
export const PARTITION_RCU = 3000;
/** A new on-demand table (AWS Developer Guide, "DynamoDB on-demand capacity mode", initial throughput). */
export const NEW_TABLE_WCU = 4000;
export const NEW_TABLE_RCU = 12000;
/** On-demand accommodates up to double the previous peak within 30 minutes (same page). */
export const GROWTH_MS = 30 * 60 * 1000;
/** Default per-table throughput quota (AWS Developer Guide, "Quotas in Amazon DynamoDB"). */
export const TABLE_QUOTA = 40000;

const PREFIX = 'com.amazonaws.dynamodb.v20120810#';
const ARN_PREFIX = 'arn:aws:dynamodb:local:000000000000:table/';

type Defaults = { iam: boolean; conflicts: boolean; throughput: boolean; txGetHolds?: boolean };

/**
 * Environment: DYNAMO_FRONT_IAM, DYNAMO_FRONT_CONFLICTS, DYNAMO_FRONT_COMMIT_MS, DYNAMO_FRONT_COMMIT_P99_MS,
 * DYNAMO_FRONT_TX_GET_HOLDS, DYNAMO_FRONT_THROUGHPUT, DYNAMO_FRONT_SCALE, DYNAMO_FRONT_TABLE_LIMITS,
 * DYNAMO_FRONT_HASHED_PARTITIONS, DYNAMO_FRONT_WARM_WRITES, DYNAMO_FRONT_WARM_READS, DYNAMO_FRONT_TABLE_QUOTA,
 * DYNAMO_FRONT_INDEX_LAG_MS, DYNAMO_FRONT_TABLE_AGE_MIN (the modelled table's age: its on-demand growth).
 */
export function frontOptionsFromEnv(defaults: Defaults, env = process.env) {
  const flag = (v: string | undefined, d: boolean) => (v === undefined || v === '' ? d : v === '1' || v === 'true' || v === 'on');
  const num = (v: string | undefined, d: number) => (v === undefined || v === '' ? d : Number(v));
  const conflicts = flag(env.DYNAMO_FRONT_CONFLICTS, defaults.conflicts);
  return {
    iam: flag(env.DYNAMO_FRONT_IAM, defaults.iam),
    conflicts,
    commitMs: num(env.DYNAMO_FRONT_COMMIT_MS, DEFAULT_COMMIT_MS),
    commitP99Ms: num(env.DYNAMO_FRONT_COMMIT_P99_MS, 0),
    txGetHolds: flag(env.DYNAMO_FRONT_TX_GET_HOLDS, defaults.txGetHolds ?? conflicts),
    throughput: flag(env.DYNAMO_FRONT_THROUGHPUT, defaults.throughput),
    scale: num(env.DYNAMO_FRONT_SCALE, 1),
    tableLimits: flag(env.DYNAMO_FRONT_TABLE_LIMITS, true),
    hashedPartitions: flag(env.DYNAMO_FRONT_HASHED_PARTITIONS, true),
    warmWrites: num(env.DYNAMO_FRONT_WARM_WRITES, 0),
    warmReads: num(env.DYNAMO_FRONT_WARM_READS, 0),
    tableQuota: num(env.DYNAMO_FRONT_TABLE_QUOTA, TABLE_QUOTA),
    indexLagMs: num(env.DYNAMO_FRONT_INDEX_LAG_MS, 0),
    tableCreatedAt: Date.now() - num(env.DYNAMO_FRONT_TABLE_AGE_MIN, 0) * 60_000,
  };
}

// biome-ignore lint/suspicious/noExplicitAny: DynamoDB's wire JSON is open-ended
type Json = Record<string, any>;

function errorBody(type: string, message: string, extra: Json = {}, messageKey = 'message'): string {
  return JSON.stringify({ __type: type, [messageKey]: message, ...extra });
}

/** The access key id of a SigV4 Authorization header. */
export function accessKeyId(authorization: string | undefined): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1];
}

/** The physical partition (0 … n − 1) a partition-key value hashes to. */
export function physicalPartition(value: string, n: number): number {
  if (n <= 1) return 0;
  return createHash('md5').update(value).digest().readUInt32BE(0) % n;
}

/** Physical partitions a table (or index) has at these limits: enough for its write and its read throughput. */
export function partitionCount(writeUnitsPerSecond: number, readUnitsPerSecond: number): number {
  return Math.max(1, Math.ceil(writeUnitsPerSecond / PARTITION_WCU), Math.ceil(readUnitsPerSecond / PARTITION_RCU));
}

/** A hold drawn from a log-normal with this median and 99th percentile (fixed when p99 ≤ median). */
export function drawHold(medianMs: number, p99Ms: number, random = Math.random): number {
  if (!(p99Ms > medianMs)) return medianMs;
  const sigma = Math.log(p99Ms / medianMs) / 2.3263478740408408; // z of the 99th percentile
  const u1 = Math.max(random(), Number.EPSILON);
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * random());
  return medianMs * Math.exp(sigma * z);
}

/** An item's entry in an index (its keys and the attributes the index projects), or undefined when the item is not in it. */
function indexEntry(img: Json | null | undefined, ix: (typeof TABLE.indexes)[number]): Json | undefined {
  if (!img || !img[ix.partitionKey] || !img[ix.sortKey]) return undefined;
  const keep = new Set<string>([TABLE.partitionKey, TABLE.sortKey, ix.partitionKey, ix.sortKey, ...ix.projection]);
  return Object.fromEntries(Object.entries(img).filter(([k]) => keep.has(k)));
}
const sorted = (o: Json) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
const keyOf = (table: string, key: Json) => `${table}\u0000${JSON.stringify(key[TABLE.partitionKey])}\u0000${JSON.stringify(key[TABLE.sortKey])}`;
const pick = (item: Json) => ({ [TABLE.partitionKey]: item[TABLE.partitionKey], [TABLE.sortKey]: item[TABLE.sortKey] });
const attrString = (v: Json | undefined) => (v ? String(v.S ?? v.N ?? v.B ?? JSON.stringify(v)) : undefined);

interface Access {
  action: string;
  resource: string;
}
/** Units taken from one bucket. */
interface Charge {
  bucket: string;
  units: number;
}
/** One item a write request writes (or checks). */
interface WriteItem {
  table: string;
  key: Json;
  id: string;
  kind: 'Put' | 'Update' | 'Delete' | 'ConditionCheck';
  action: Json;
  /** ×2 in a transaction. */
  factor: number;
}

const WRITE_OPS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

export async function startDynamoFront(opts: FrontOptions): Promise<DynamoFront> {
  const options: ResolvedFrontOptions = {
    target: opts.target,
    iam: opts.iam ?? false,
    conflicts: opts.conflicts ?? false,
    commitMs: opts.commitMs ?? DEFAULT_COMMIT_MS,
    commitP99Ms: opts.commitP99Ms ?? 0,
    txGetHolds: opts.txGetHolds ?? opts.conflicts ?? false,
    throughput: opts.throughput ?? false,
    scale: opts.scale ?? 1,
    tableLimits: opts.tableLimits ?? true,
    hashedPartitions: opts.hashedPartitions ?? true,
    warmWrites: opts.warmWrites ?? 0,
    warmReads: opts.warmReads ?? 0,
    tableQuota: opts.tableQuota ?? TABLE_QUOTA,
    indexLagMs: opts.indexLagMs ?? 0,
    tableCreatedAt: opts.tableCreatedAt ?? Date.now(),
  };
  const grants = opts.grants ?? new Map();
  const target = new URL(options.target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const emptyStats = (used: Set<string>): FrontStats => ({
    requests: 0,
    used,
    denied: [],
    txConflicts: 0,
    writeConflicts: 0,
    throttled: 0,
    unprocessed: 0,
    writeUnits: 0,
    indexWriteUnits: 0,
    writeUnitsBy: new Map(),
    readUnits: 0,
    imageReads: 0,
    indexWrites: new Map(),
    throttledBuckets: new Map(),
  });
  const stats = emptyStats(new Set());
  /** Items held by in-flight transactions: key → count of holders. */
  const held = new Map<string, number>();
  /** Items plain writes are writing right now (arrival → answer): key → count. */
  const writing = new Map<string, number>();
  /** In-flight TransactGetItems on each item; a write to the item adds it to their `cancelled`. */
  const readers = new Map<string, Set<{ cancelled: Set<string> }>>();
  /** Token buckets, one second of capacity deep: bucket → { tokens, at }. */
  const buckets = new Map<string, { tokens: number; at: number }>();
  /** Index lag: per item written within the lag, each write's time and the item's image before it. */
  const history = new Map<string, { at: number; table: string; before: Json | null }[]>();

  const inc = (m: Map<string, number>, k: string, d: number) => {
    const n = (m.get(k) ?? 0) + d;
    if (n > 0) m.set(k, n);
    else m.delete(k);
  };
  const holdMs = () => drawHold(options.commitMs, options.commitP99Ms) / (options.scale > 0 ? options.scale : 1);

  // ---------------------------------------------------------------- IAM
  function accessOf(op: string, body: Json): Access[] {
    const table = (t: string) => `${ARN_PREFIX}${t}`;
    switch (op) {
      case 'GetItem':
      case 'PutItem':
      case 'UpdateItem':
      case 'DeleteItem':
        return [{ action: op, resource: table(body.TableName) }];
      case 'Query':
      case 'Scan':
        return [{ action: op, resource: body.IndexName ? `${table(body.TableName)}/index/${body.IndexName}` : table(body.TableName) }];
      case 'BatchGetItem':
      case 'BatchWriteItem':
        return Object.keys(body.RequestItems ?? {}).map((t) => ({ action: op, resource: table(t) }));
      case 'TransactWriteItems':
        return (body.TransactItems ?? []).map((ti: Json) => {
          const [kind] = Object.keys(ti);
          const action = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' }[kind] ?? kind;
          return { action, resource: table(ti[kind].TableName) };
        });
      case 'TransactGetItems':
        return (body.TransactItems ?? []).map((ti: Json) => ({ action: 'GetItem', resource: table(ti.Get.TableName) }));
      default:
        // control plane (CreateTable, DescribeTable, …) and anything else: the action on the table named, or *
        return [{ action: op, resource: body.TableName ? table(body.TableName) : '*' }];
    }
  }

  function denied(identity: string, op: string, body: Json): Access | undefined {
    if (!options.iam || !grants.has(identity)) return undefined; // admin / unknown identities: everything
    const grant = grants.get(identity);
    for (const a of accessOf(op, body)) {
      const onIndex = a.resource.includes('/index/');
      const ok = grant && (grant.actions as string[]).includes(a.action) && (!onIndex || grant.indexes) && a.resource.startsWith(ARN_PREFIX);
      if (!ok) return a;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- what a request writes
  function writeItems(op: string, body: Json): WriteItem[] {
    const one = (table: string, kind: WriteItem['kind'], action: Json, factor: number): WriteItem => {
      const key = kind === 'Put' ? pick(action.Item ?? {}) : (action.Key ?? {});
      return { table, key, id: keyOf(table, key), kind, action, factor };
    };
    switch (op) {
      case 'PutItem':
        return [one(body.TableName, 'Put', body, 1)];
      case 'UpdateItem':
        return [one(body.TableName, 'Update', body, 1)];
      case 'DeleteItem':
        return [one(body.TableName, 'Delete', body, 1)];
      case 'BatchWriteItem':
        return Object.entries(body.RequestItems ?? {}).flatMap(([t, reqs]) =>
          (reqs as Json[]).map((r) => (r.PutRequest ? one(t, 'Put', r.PutRequest, 1) : one(t, 'Delete', r.DeleteRequest, 1))),
        );
      case 'TransactWriteItems':
        return (body.TransactItems ?? []).map((ti: Json) => {
          const [kind] = Object.keys(ti);
          return one(ti[kind].TableName, kind as WriteItem['kind'], ti[kind], 2);
        });
      default:
        return [];
    }
  }
  function transactKeys(body: Json): string[] {
    return (body.TransactItems ?? []).map((ti: Json) => {
      const [kind] = Object.keys(ti);
      const a = ti[kind];
      return keyOf(a.TableName, kind === 'Put' ? pick(a.Item ?? {}) : (a.Key ?? {}));
    });
  }

  // ---------------------------------------------------------------- item images (sizes, index keys)
  /** DynamoDB Local itself, as `admin` (the front's own reads: no IAM, no conflicts, no charge). */
  function ddb(op: string, body: Json): Promise<Json> {
    const raw = Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const out = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path: '/',
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': `DynamoDB_20120810.${op}`,
            authorization: 'AWS4-HMAC-SHA256 Credential=admin/20000101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
            'content-length': String(raw.length),
          },
          agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if ((res.statusCode ?? 500) !== 200) reject(new Error(`front: ${op} on DynamoDB Local answered ${res.statusCode}: ${text}`));
            else resolve(text ? JSON.parse(text) : {});
          });
          res.on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(raw);
    });
  }
  /** The current images of these items (null: none), read consistently from DynamoDB Local. */
  async function readImages(items: { table: string; key: Json; id: string }[]): Promise<Map<string, Json | null>> {
    const out = new Map<string, Json | null>();
    const unique = [...new Map(items.map((i) => [i.id, i])).values()];
    for (let i = 0; i < unique.length; i += 100) {
      const chunk = unique.slice(i, i + 100);
      for (const c of chunk) out.set(c.id, null);
      const byTable: Json = {};
      for (const c of chunk) (byTable[c.table] ??= { Keys: [], ConsistentRead: true }).Keys.push(c.key);
      let request: Json | undefined = byTable;
      while (request && Object.keys(request).length) {
        stats.imageReads++;
        const res = await ddb('BatchGetItem', { RequestItems: request });
        for (const [t, rows] of Object.entries(res.Responses ?? {})) for (const r of rows as Json[]) out.set(keyOf(t, pick(r)), r);
        request = res.UnprocessedKeys;
      }
    }
    return out;
  }
  /** What an UpdateItem's image will probably be (before it runs): direct `SET a = :v` and `REMOVE a` applied. */
  function estimateUpdate(before: Json | null, a: Json): Json {
    const next: Json = { ...(before ?? {}), ...a.Key };
    const expr: string = a.UpdateExpression ?? '';
    const names: Json = a.ExpressionAttributeNames ?? {};
    const values: Json = a.ExpressionAttributeValues ?? {};
    const resolve = (n: string) => (n.startsWith('#') ? names[n] : n);
    for (const m of expr.matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) if (values[m[2]]) next[resolve(m[1])] = values[m[2]];
    const remove = /REMOVE\s+([^]*?)(?=\s+(?:SET|ADD|DELETE)\s|$)/i.exec(expr)?.[1] ?? '';
    for (const n of remove.split(',')) if (n.trim()) delete next[resolve(n.trim())];
    // what the expression adds besides (ADD, list_append, …): counted at the size of its values
    const extra = Object.values(values).reduce((s: number, v: Json) => s + itemSize({ x: v }), 0);
    if (extra) next['\u0000estimate'] = { S: 'x'.repeat(extra) };
    return next;
  }

  // ---------------------------------------------------------------- throughput
  const tableLimit = (kind: 'w' | 'r', now: number) => {
    const initial = kind === 'w' ? NEW_TABLE_WCU : NEW_TABLE_RCU;
    const warm = kind === 'w' ? options.warmWrites : options.warmReads;
    const grown = initial * 2 ** Math.floor((now - options.tableCreatedAt) / GROWTH_MS);
    return Math.min(options.tableQuota, Math.max(warm, grown));
  };
  /** Buckets a request on this partition-key value of a table or index (`table` or `table/index`) takes from. */
  function bucketsOf(kind: 'w' | 'r', space: string, pkValue: string, now: number): string[] {
    const out: string[] = [];
    if (options.hashedPartitions) {
      const n = options.tableLimits ? partitionCount(tableLimit('w', now), tableLimit('r', now)) : 1;
      out.push(`${kind}:${space}#${physicalPartition(pkValue, n)}`);
    } else out.push(`${kind}:${space}\u0000${pkValue}`);
    if (options.tableLimits) out.push(`${kind}T:${space}`);
    return out;
  }
  function perSecond(bucket: string, now: number): number {
    const kind = bucket[0] as 'w' | 'r';
    const base = bucket[1] === 'T' ? tableLimit(kind, now) : kind === 'w' ? PARTITION_WCU : PARTITION_RCU;
    return base * options.scale;
  }
  function peek(bucket: string, now: number): number {
    const cap = perSecond(bucket, now);
    const b = buckets.get(bucket);
    if (!b) return cap;
    b.tokens = Math.min(cap, b.tokens + ((now - b.at) / 1000) * cap);
    b.at = now;
    return b.tokens;
  }
  /** Capacity may go negative (a request larger than what is left still passes); the next one waits for the refill. */
  function debit(bucket: string, units: number, now: number) {
    const cap = perSecond(bucket, now);
    peek(bucket, now);
    const b = buckets.get(bucket);
    if (b) b.tokens = Math.min(cap, b.tokens - units);
    else buckets.set(bucket, { tokens: Math.min(cap, cap - units), at: now });
  }
  const fits = (charges: Charge[], now: number) => charges.every((c) => peek(c.bucket, now) > 0);
  function take(charges: Charge[], now: number, who?: string) {
    for (const c of charges) {
      debit(c.bucket, c.units, now);
      if (c.bucket[1] === 'T') continue; // the same units again, on the table's bucket: counted once
      if (c.bucket[0] === 'w') {
        stats.writeUnits += c.units;
        if (c.bucket.includes('/')) stats.indexWriteUnits += c.units;
        if (who) inc(stats.writeUnitsBy, who, c.units);
      } else stats.readUnits += c.units;
    }
  }

  /**
   * Write charges of one item: the larger of its size before and after (1 KB units, ×2 in a
   * transaction) on its partition and the table; per index, only when the write changes the item's
   * index entry — an index key or a projected attribute (lib/table-definition.ts; AWS Developer Guide,
   * "Managing global secondary indexes": a table write that changes no projected or key attribute of
   * an index writes nothing to it): the entry it puts (the larger of its sizes when it stays under the
   * same key), and the one it deletes when the index key changes, each the size of the entry (the
   * table's and the index's keys and the projected attributes).
   */
  function writeCharges(w: WriteItem, before: Json | null, after: Json | null, at: number): Charge[] {
    const out: Charge[] = [];
    const pk = attrString(w.key[TABLE.partitionKey]) ?? '';
    const units = writeUnits(Math.max(itemSize(before), itemSize(after))) * w.factor;
    for (const b of bucketsOf('w', w.table, pk, at)) out.push({ bucket: b, units });
    if (w.kind === 'ConditionCheck') return out;
    for (const e of indexEntryWrites(before, after)) {
      for (const b of bucketsOf('w', `${w.table}/${e.index}`, e.pk, at)) out.push({ bucket: b, units: writeUnits(e.bytes) });
    }
    return out;
  }
  /** The index entries a write puts or deletes (none for an index whose entry it leaves as it was). */
  function indexEntryWrites(before: Json | null, after: Json | null): { index: string; pk: string; bytes: number }[] {
    const out: { index: string; pk: string; bytes: number }[] = [];
    for (const ix of TABLE.indexes) {
      const was = indexEntry(before, ix);
      const is = indexEntry(after, ix);
      if (!was && !is) continue;
      const key = (e: Json) => `${attrString(e[ix.partitionKey])}\u0000${attrString(e[ix.sortKey])}`;
      if (was && is && key(was) === key(is)) {
        if (JSON.stringify(sorted(was)) === JSON.stringify(sorted(is))) continue; // the entry is as it was: no index write
        out.push({ index: ix.name, pk: attrString(is[ix.partitionKey])!, bytes: Math.max(itemSize(was), itemSize(is)) });
      } else {
        if (was) out.push({ index: ix.name, pk: attrString(was[ix.partitionKey])!, bytes: itemSize(was) });
        if (is) out.push({ index: ix.name, pk: attrString(is[ix.partitionKey])!, bytes: itemSize(is) });
      }
    }
    return out;
  }
  const sum = (charges: Charge[]) => {
    const m = new Map<string, number>();
    for (const c of charges) m.set(c.bucket, (m.get(c.bucket) ?? 0) + c.units);
    return m;
  };

  /** The partition-key value a Query names (on the table or its index), and how its sort key is bounded. */
  function queryKey(body: Json): { space: string; pk?: string; sk: (v: Json | undefined) => boolean } {
    const ix = body.IndexName ? TABLE.indexes.find((i) => i.name === body.IndexName) : undefined;
    const pkName = ix ? ix.partitionKey : TABLE.partitionKey;
    const skName = ix ? ix.sortKey : TABLE.sortKey;
    const expr: string = body.KeyConditionExpression ?? '';
    const names: Json = body.ExpressionAttributeNames ?? {};
    const values: Json = body.ExpressionAttributeValues ?? {};
    const resolve = (n: string) => (n.startsWith('#') ? names[n] : n);
    let pk: string | undefined;
    let sk: (v: Json | undefined) => boolean = () => true;
    const s = (v: Json | undefined) => attrString(v) ?? '';
    const between = /([#\w]+)\s+BETWEEN\s+(:\w+)\s+AND\s+(:\w+)/i.exec(expr);
    if (between && resolve(between[1]) === skName) {
      const [lo, hi] = [s(values[between[2]]), s(values[between[3]])];
      sk = (y) => y !== undefined && s(y) >= lo && s(y) <= hi;
    }
    for (const part of expr.replace(/([#\w]+)\s+BETWEEN\s+(:\w+)\s+AND\s+(:\w+)/i, '').split(/\s+AND\s+/i)) {
      let m: RegExpExecArray | null;
      if ((m = /^\s*\(?\s*([#\w]+)\s*(=|<=|>=|<|>)\s*(:\w+)\s*\)?\s*$/.exec(part))) {
        const [, n, o, v] = m;
        if (resolve(n) === pkName && o === '=') pk = s(values[v]);
        else if (resolve(n) === skName) {
          const x = s(values[v]);
          sk = (y) => (y === undefined ? false : o === '=' ? s(y) === x : o === '<' ? s(y) < x : o === '<=' ? s(y) <= x : o === '>' ? s(y) > x : s(y) >= x);
        }
      } else if ((m = /begins_with\s*\(\s*([#\w]+)\s*,\s*(:\w+)\s*\)/i.exec(part))) {
        const x = s(values[m[2]]);
        if (resolve(m[1]) === skName) sk = (y) => y !== undefined && s(y).startsWith(x);
      }
    }
    return { space: ix ? `${body.TableName}/${ix.name}` : body.TableName, pk, sk };
  }

  // ---------------------------------------------------------------- index lag
  function remember(w: WriteItem, before: Json | null, at: number) {
    if (!(options.indexLagMs > 0)) return;
    const list = history.get(w.id) ?? [];
    list.push({ at, table: w.table, before });
    history.set(w.id, list);
    if (history.size > 2000 && Math.random() < 0.01) prune(at);
  }
  function prune(now: number) {
    const cut = now - options.indexLagMs - 1000;
    for (const [id, list] of history) {
      const kept = list.filter((e) => e.at >= cut);
      if (kept.length) history.set(id, kept);
      else history.delete(id);
    }
  }
  /** The image an index shows of an item at time q: undefined = as it is now (no write since q). */
  function visibleAt(id: string, q: number): Json | null | undefined {
    const first = history.get(id)?.find((e) => e.at > q);
    return first ? first.before : undefined;
  }
  /** A Query / Scan answer of an index, as the index would show it `indexLagMs` ago. */
  function lagged(body: Json, answer: Json): Json {
    const ix = TABLE.indexes.find((i) => i.name === body.IndexName);
    if (!ix || !Array.isArray(answer.Items)) return answer;
    const q = Date.now() - options.indexLagMs;
    const { pk, sk } = body.KeyConditionExpression ? queryKey(body) : { pk: undefined, sk: () => true };
    const matches = (img: Json) =>
      img[ix.partitionKey] !== undefined &&
      img[ix.sortKey] !== undefined &&
      (pk === undefined || attrString(img[ix.partitionKey]) === pk) &&
      sk(img[ix.sortKey]);
    const shown = new Map<string, Json>();
    for (const item of answer.Items as Json[]) {
      const id = keyOf(body.TableName, pick(item));
      const seen = visibleAt(id, q);
      if (seen === undefined) shown.set(id, item);
      else if (seen && matches(seen)) shown.set(id, indexEntry(seen, ix)!);
    }
    for (const [id, list] of history) {
      if (shown.has(id) || list[0].table !== body.TableName) continue;
      const seen = visibleAt(id, q);
      if (seen && matches(seen)) shown.set(id, indexEntry(seen, ix)!);
    }
    const cmp = (a: Json, b: Json) => {
      const [x, y] = [attrString(a[ix.sortKey]) ?? '', attrString(b[ix.sortKey]) ?? ''];
      return x < y ? -1 : x > y ? 1 : 0;
    };
    let items = [...shown.values()].sort(cmp);
    if (body.ScanIndexForward === false) items.reverse();
    if (body.ProjectionExpression) {
      const names: Json = body.ExpressionAttributeNames ?? {};
      const wanted = String(body.ProjectionExpression)
        .split(',')
        .map((n) => n.trim().split(/[.[]/)[0])
        .map((n) => (n.startsWith('#') ? names[n] : n));
      items = items.map((it) => Object.fromEntries(Object.entries(it).filter(([k]) => wanted.includes(k))));
    }
    return { ...answer, Items: items, Count: items.length };
  }

  // ---------------------------------------------------------------- the proxy
  // biome-ignore lint/suspicious/noExplicitAny: HTTP headers as node hands them
  function forward(req: IncomingMessage, raw: Buffer): Promise<{ status: number; headers: Record<string, any>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const out = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host, 'content-length': String(raw.length) },
          agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 500, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(raw);
    });
  }

  // biome-ignore lint/suspicious/noExplicitAny: HTTP headers as node hands them
  function reply(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, any> = { 'content-type': 'application/x-amz-json-1.0' }) {
    const { 'transfer-encoding': _te, connection: _c, 'keep-alive': _k, ...rest } = headers;
    res.writeHead(status, { ...rest, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  }
  const fail = (res: ServerResponse, type: string, body: string) =>
    reply(res, 400, body, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': type });
  function cancelled(res: ServerResponse, keys: string[], busy: (k: string) => boolean) {
    stats.txConflicts++;
    const reasons = keys.map((k) => (busy(k) ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' } : { Code: 'None' }));
    const message = `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`;
    return fail(res, 'TransactionCanceledException', errorBody(`${PREFIX}TransactionCanceledException`, message, { CancellationReasons: reasons }, 'Message'));
  }
  /** The first partition key a request names (a throttle log's "which"): its Key, a Query's key value, or its first batch or transaction item's. */
  function firstPk(body: Json): string | undefined {
    const pkOf = (k: Json | undefined) => (k ? attrString(k[TABLE.partitionKey]) : undefined);
    if (body.Key) return pkOf(body.Key);
    if (body.KeyConditionExpression) return `${body.IndexName ? `${body.IndexName}:` : ''}${queryKey(body).pk ?? ''}`;
    const first = Object.values((body.RequestItems ?? {}) as Json)[0] as Json | undefined;
    if (first) return pkOf(first.Keys?.[0] ?? first[0]?.PutRequest?.Item ?? first[0]?.DeleteRequest?.Key);
    const ti = body.TransactItems?.[0];
    const a = ti && (Object.values(ti)[0] as Json);
    return a ? pkOf(a.Key ?? a.Item) : undefined;
  }
  function throttledAnswer(res: ServerResponse, op: string, empty: string[], who?: { identity: string; body: Json }) {
    stats.throttled++;
    for (const b of empty) inc(stats.throttledBuckets, b, 1);
    if (process.env.DYNAMO_FRONT_THROTTLED_LOG)
      // who asked, and the request's first partition key (which item or partition was read or written)
      appendFileSync(
        process.env.DYNAMO_FRONT_THROTTLED_LOG,
        `${JSON.stringify({ op, empty, identity: who?.identity, pk: who ? firstPk(who.body) : undefined })}\n`,
      );
    return fail(
      res,
      'ProvisionedThroughputExceededException',
      errorBody(
        `${PREFIX}ProvisionedThroughputExceededException`,
        'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
      ),
    );
  }
  const sleepUntil = async (t: number) => {
    const wait = t - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let raw = Buffer.concat(chunks);
    stats.requests++;
    const targetHeader = String(req.headers['x-amz-target'] ?? '');
    const [service, op = ''] = targetHeader.split('.');
    if (service !== 'DynamoDB_20120810') {
      // DynamoDB Streams and anything else: passed through untouched
      const out = await forward(req, raw);
      return reply(res, out.status, out.body, out.headers);
    }
    let body: Json = {};
    try {
      body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      const out = await forward(req, raw);
      return reply(res, out.status, out.body, out.headers);
    }
    const identity = accessKeyId(req.headers.authorization as string | undefined) ?? 'anonymous';

    const refused = denied(identity, op, body);
    if (refused) {
      stats.denied.push({ identity, ...refused });
      if (process.env.DYNAMO_FRONT_DENIED_LOG) appendFileSync(process.env.DYNAMO_FRONT_DENIED_LOG, `${JSON.stringify({ identity, ...refused })}\n`);
      const message =
        `User: arn:aws:sts::000000000000:assumed-role/${identity}-role/${identity} is not authorized to perform: dynamodb:${refused.action} ` +
        `on resource: ${refused.resource} because no identity-based policy allows the dynamodb:${refused.action} action`;
      return fail(res, 'AccessDeniedException', errorBody('com.amazon.coral.service#AccessDeniedException', message, {}, 'Message'));
    }
    if (grants.has(identity))
      for (const a of accessOf(op, body)) stats.used.add(`${identity}\t${a.action}\t${a.resource.includes('/index/') ? 'index' : 'table'}`);

    const transactWrite = op === 'TransactWriteItems';
    const transactGet = op === 'TransactGetItems';
    const isWrite = WRITE_OPS.has(op);
    let writes = isWrite ? writeItems(op, body) : [];
    const txKeys = options.conflicts && (transactWrite || transactGet) ? transactKeys(body) : [];
    const readHolds = options.conflicts && options.txGetHolds;

    // ---- item images: sizes for the charges, before-images for the index lag
    const sized = isWrite && (options.throughput || options.indexLagMs > 0);
    const before = sized ? await readImages(writes) : new Map<string, Json | null>();
    const estimateAfter = (w: WriteItem): Json | null =>
      w.kind === 'Put'
        ? (w.action.Item ?? null)
        : w.kind === 'Delete'
          ? null
          : w.kind === 'Update'
            ? estimateUpdate(before.get(w.id) ?? null, w.action)
            : (before.get(w.id) ?? null);

    // ---- conflicts on arrival (after the image read: nothing awaits between this check and the holds,
    // which run from here, as does the wait before the answer)
    const arrival = Date.now();
    if (options.conflicts) {
      const busy = (k: string) => held.has(k) || (transactGet && readHolds && writing.has(k));
      if (txKeys.some(busy)) return cancelled(res, txKeys, busy);
      if (!transactWrite && writes.some((w) => held.has(w.id))) {
        stats.writeConflicts++;
        return fail(res, 'TransactionConflictException', errorBody(`${PREFIX}TransactionConflictException`, 'Transaction is ongoing for the item'));
      }
    }

    // ---- throughput
    const now = Date.now();
    const charged = new Map<WriteItem, Charge[]>();
    let unprocessedWrites: Json | undefined;
    let unprocessedKeys: Json | undefined;
    let readBuckets: string[] = [];
    if (options.throughput) {
      if (isWrite) {
        for (const w of writes) charged.set(w, writeCharges(w, before.get(w.id) ?? null, estimateAfter(w), now));
        if (op === 'BatchWriteItem') {
          // each request of the batch on its own: what finds its buckets empty comes back unprocessed
          const accepted: WriteItem[] = [];
          const rest: Json = {};
          for (const w of writes) {
            const c = charged.get(w)!;
            if (fits(c, now)) {
              take(c, now, `${identity}\t${op}`);
              accepted.push(w);
            } else {
              (rest[w.table] ??= []).push(w.kind === 'Put' ? { PutRequest: w.action } : { DeleteRequest: w.action });
              stats.unprocessed++;
            }
          }
          if (!accepted.length)
            return throttledAnswer(
              res,
              op,
              [
                ...new Set(
                  writes.flatMap((w) =>
                    charged
                      .get(w)!
                      .filter((c) => peek(c.bucket, now) <= 0)
                      .map((c) => c.bucket),
                  ),
                ),
              ],
              { identity, body },
            );
          if (accepted.length < writes.length) {
            unprocessedWrites = rest;
            const requestItems: Json = {};
            for (const w of accepted) (requestItems[w.table] ??= []).push(w.kind === 'Put' ? { PutRequest: w.action } : { DeleteRequest: w.action });
            body = { ...body, RequestItems: requestItems };
            raw = Buffer.from(JSON.stringify(body));
            writes = accepted;
          }
        } else {
          const all = writes.flatMap((w) => charged.get(w)!);
          const need = sum(all);
          const empty = [...need.keys()].filter((b) => peek(b, now) <= 0);
          if (empty.length) return throttledAnswer(res, op, empty, { identity, body });
          take(all, now, `${identity}\t${op}`);
        }
      } else if (op === 'BatchGetItem') {
        const rest: Json = {};
        const requestItems: Json = {};
        let accepted = 0;
        let total = 0;
        const emptyOnes: string[] = [];
        for (const [t, r] of Object.entries(body.RequestItems ?? {})) {
          for (const k of (r as Json).Keys ?? []) {
            total++;
            const bs = bucketsOf('r', t, attrString(k[TABLE.partitionKey]) ?? '', now);
            if (bs.every((b) => peek(b, now) > 0)) {
              (requestItems[t] ??= { ...(r as Json), Keys: [] }).Keys.push(k);
              accepted++;
            } else {
              (rest[t] ??= { ...(r as Json), Keys: [] }).Keys.push(k);
              emptyOnes.push(...bs.filter((b) => peek(b, now) <= 0));
              stats.unprocessed++;
            }
          }
        }
        if (total && !accepted) return throttledAnswer(res, op, [...new Set(emptyOnes)], { identity, body });
        if (accepted < total) {
          unprocessedKeys = rest;
          body = { ...body, RequestItems: requestItems };
          raw = Buffer.from(JSON.stringify(body));
        }
      } else {
        if (op === 'GetItem') readBuckets = bucketsOf('r', body.TableName, attrString(body.Key?.[TABLE.partitionKey]) ?? '', now);
        else if (transactGet)
          readBuckets = (body.TransactItems ?? []).flatMap((ti: Json) =>
            bucketsOf('r', ti.Get.TableName, attrString(ti.Get.Key?.[TABLE.partitionKey]) ?? '', now),
          );
        else if (op === 'Query') {
          const { space, pk } = queryKey(body);
          if (pk !== undefined) readBuckets = bucketsOf('r', space, pk, now);
        } else if (op === 'Scan' && options.tableLimits) readBuckets = [`rT:${body.IndexName ? `${body.TableName}/${body.IndexName}` : body.TableName}`];
        readBuckets = [...new Set(readBuckets)];
        const empty = readBuckets.filter((b) => peek(b, now) <= 0);
        if (empty.length) return throttledAnswer(res, op, empty, { identity, body });
      }
    }

    // ---- conflicts while in flight: holds, and the reads a write cancels
    const written = transactWrite ? txKeys : options.conflicts ? writes.map((w) => w.id) : [];
    if (readHolds) for (const k of written) for (const r of readers.get(k) ?? []) r.cancelled.add(k);
    const plain = options.conflicts && isWrite && !transactWrite ? written : [];
    for (const k of plain) inc(writing, k, 1);
    const holding = txKeys.length > 0 && transactWrite;
    const hold = holding || (transactGet && readHolds) ? holdMs() : 0;
    if (holding) {
      // held for the modelled hold from arrival (not for as long as DynamoDB Local takes: a slow
      // emulator must not lengthen the model's conflict window); answered no earlier than that
      for (const k of txKeys) inc(held, k, 1);
      setTimeout(() => txKeys.forEach((k) => inc(held, k, -1)), hold).unref();
    }
    const reader = transactGet && readHolds ? { cancelled: new Set<string>() } : undefined;
    if (reader)
      for (const k of txKeys) {
        const set = readers.get(k) ?? new Set();
        set.add(reader);
        readers.set(k, set);
      }

    // a single UpdateItem that asks for no values is asked for the new image (its size), which is not passed on
    let strip = false;
    if (sized && op === 'UpdateItem' && (!body.ReturnValues || body.ReturnValues === 'NONE')) {
      body = { ...body, ReturnValues: 'ALL_NEW' };
      raw = Buffer.from(JSON.stringify(body));
      strip = true;
    }
    // an index read under lag is answered from whole items: a projection that leaves out the table's
    // keys is widened by them upstream (and applied again to the lagged answer)
    const asked = body;
    if (options.indexLagMs > 0 && body.IndexName && (op === 'Query' || op === 'Scan') && body.ProjectionExpression) {
      const more = [TABLE.partitionKey, TABLE.sortKey];
      body = {
        ...body,
        ProjectionExpression: `${body.ProjectionExpression}, ${more.map((_, i) => `#lag${i}`).join(', ')}`,
        ExpressionAttributeNames: { ...(body.ExpressionAttributeNames ?? {}), ...Object.fromEntries(more.map((n, i) => [`#lag${i}`, n])) },
      };
      raw = Buffer.from(JSON.stringify(body));
    }
    // biome-ignore lint/suspicious/noExplicitAny: HTTP headers as node hands them
    let out: { status: number; headers: Record<string, any>; body: Buffer };
    try {
      out = await forward(req, raw);
    } finally {
      for (const k of plain) inc(writing, k, -1);
    }
    const doneAt = Date.now();
    let answer: Json | undefined;
    const parsed = () => (answer ??= out.body.length ? JSON.parse(out.body.toString('utf8')) : {});
    let rewritten = false;

    // ---- after a write: its real after-images, the charges corrected to them, the index history
    if (sized && out.status === 200) {
      const after = new Map<string, Json | null>();
      const unknown: WriteItem[] = [];
      for (const w of writes) {
        if (w.kind === 'Put') after.set(w.id, w.action.Item ?? null);
        else if (w.kind === 'Delete') after.set(w.id, null);
        else if (w.kind === 'ConditionCheck') after.set(w.id, before.get(w.id) ?? null);
        else if (op === 'UpdateItem' && body.ReturnValues === 'ALL_NEW') after.set(w.id, parsed().Attributes ?? null);
        else unknown.push(w);
      }
      if (unknown.length) for (const [id, img] of await readImages(unknown)) after.set(id, img);
      for (const w of writes) {
        if (options.throughput) {
          const estimated = sum(charged.get(w) ?? []);
          const actual = sum(writeCharges(w, before.get(w.id) ?? null, after.get(w.id) ?? null, doneAt));
          for (const b of new Set([...estimated.keys(), ...actual.keys()])) {
            const delta = (actual.get(b) ?? 0) - (estimated.get(b) ?? 0);
            if (delta) take([{ bucket: b, units: delta }], doneAt, `${identity}\t${op}`);
          }
        }
        if (w.kind !== 'ConditionCheck') {
          remember(w, before.get(w.id) ?? null, doneAt);
          for (const e of indexEntryWrites(before.get(w.id) ?? null, after.get(w.id) ?? null)) inc(stats.indexWrites, `${e.index}\t${e.pk}`, 1);
        }
      }
      if (strip) {
        delete parsed().Attributes;
        rewritten = true;
      }
    }
    if (out.status === 200 && unprocessedWrites) {
      const a = parsed();
      a.UnprocessedItems ??= {};
      for (const [t, reqs] of Object.entries(unprocessedWrites)) a.UnprocessedItems[t] = [...(a.UnprocessedItems[t] ?? []), ...(reqs as Json[])];
      rewritten = true;
    }
    if (out.status === 200 && unprocessedKeys) {
      const a = parsed();
      a.UnprocessedKeys ??= {};
      for (const [t, r] of Object.entries(unprocessedKeys)) {
        const had = a.UnprocessedKeys[t];
        a.UnprocessedKeys[t] = had ? { ...had, Keys: [...had.Keys, ...(r as Json).Keys] } : r;
      }
      rewritten = true;
    }

    // ---- reads: charged after the answer, by the size of the items read
    if (options.throughput && out.status === 200 && !isWrite) {
      const a = parsed();
      const consistent = (c: unknown) => (c ? 1 : 0.5);
      const charges: Charge[] = [];
      if (op === 'GetItem') {
        const u = readUnits(itemSize(a.Item)) * consistent(body.ConsistentRead);
        for (const b of readBuckets) charges.push({ bucket: b, units: u });
      } else if (transactGet) {
        (body.TransactItems ?? []).forEach((ti: Json, i: number) => {
          const u = readUnits(itemSize(a.Responses?.[i]?.Item)) * 2;
          for (const b of bucketsOf('r', ti.Get.TableName, attrString(ti.Get.Key?.[TABLE.partitionKey]) ?? '', doneAt)) charges.push({ bucket: b, units: u });
        });
      } else if (op === 'BatchGetItem') {
        for (const [t, rows] of Object.entries(a.Responses ?? {}))
          for (const r of rows as Json[]) {
            const u = readUnits(itemSize(r)) * consistent(body.RequestItems?.[t]?.ConsistentRead);
            for (const b of bucketsOf('r', t, attrString(r[TABLE.partitionKey]) ?? '', doneAt)) charges.push({ bucket: b, units: u });
          }
      } else if (op === 'Query' || op === 'Scan') {
        const bytes = ((a.Items ?? []) as Json[]).reduce((s, it) => s + itemSize(it), 0);
        const u = readUnits(bytes) * consistent(body.ConsistentRead);
        for (const b of readBuckets) charges.push({ bucket: b, units: u });
      }
      take(charges, doneAt);
    }

    // ---- index lag
    if (options.indexLagMs > 0 && out.status === 200 && body.IndexName && (op === 'Query' || op === 'Scan')) {
      answer = lagged(asked, parsed());
      rewritten = true;
    }

    // ---- a transaction is answered no earlier than its hold; a read hold ends cancelled if a write came
    if (hold) await sleepUntil(arrival + hold);
    if (reader) {
      for (const k of txKeys) {
        const set = readers.get(k);
        set?.delete(reader);
        if (set && !set.size) readers.delete(k);
      }
      if (reader.cancelled.size && out.status === 200) return cancelled(res, txKeys, (k) => reader.cancelled.has(k));
    }
    if (rewritten) {
      const { 'x-amz-crc32': _crc, ...headers } = out.headers;
      return reply(res, out.status, JSON.stringify(answer), headers);
    }
    return reply(res, out.status, out.body, out.headers);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) reply(res, 500, errorBody('com.amazonaws.dynamodb.v20120810#InternalServerError', String(err?.message ?? err)));
      else res.end();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r, j) => {
    server.once('error', j);
    server.listen(opts.port ?? 0, '127.0.0.1', () => r());
  });
  server.unref();
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    options,
    stats,
    resetStats() {
      // `used` is kept: it is the whole run's record
      Object.assign(stats, emptyStats(stats.used));
    },
    partitionOf(pkValue: string) {
      const now = Date.now();
      if (!options.hashedPartitions) return 0;
      return physicalPartition(pkValue, options.tableLimits ? partitionCount(tableLimit('w', now), tableLimit('r', now)) : 1);
    },
    async stop() {
      // DYNAMO_FRONT_USAGE_LOG: what the functions did through this front, for the grant audit (bin/grant-usage.ts)
      if (process.env.DYNAMO_FRONT_USAGE_LOG && stats.used.size)
        appendFileSync(process.env.DYNAMO_FRONT_USAGE_LOG, [...stats.used].map((u) => `${u}\n`).join(''));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      agent.destroy();
    },
  };
}

/**
 * The front with every function's grants (lib/functions.ts), its switches from the environment over
 * the caller's defaults, then `overrides`. Imported lazily: the route table (and its schemas) loads only here.
 */
export async function startFrontFor(target: string, defaults: Defaults, port = 0, overrides: Partial<Omit<FrontOptions, 'target'>> = {}): Promise<DynamoFront> {
  const { tableGrants } = await import('../functions.ts');
  return startDynamoFront({ target, port, grants: tableGrants(), ...frontOptionsFromEnv(defaults), ...overrides });
}

/** One line for a start-up log. */
export function describeFront(f: DynamoFront): string {
  const o = f.options;
  const on = (b: boolean) => (b ? 'on' : 'off');
  const hold = `hold ${o.commitMs}${o.commitP99Ms > o.commitMs ? `/p99 ${o.commitP99Ms}` : ''} ms${o.scale !== 1 ? ` ÷ ${o.scale}` : ''}${o.txGetHolds ? ', reads too' : ''}`;
  const limits = o.throughput
    ? ` (×${o.scale}${o.tableLimits ? `, table ${o.warmWrites || NEW_TABLE_WCU} WCU/s` : ''}${o.hashedPartitions ? ', hashed partitions' : ''})`
    : '';
  return `IAM ${on(o.iam)}, transaction conflicts ${on(o.conflicts)}${o.conflicts ? ` (${hold})` : ''}, throughput limits ${on(o.throughput)}${limits}${o.indexLagMs > 0 ? `, index lag ${o.indexLagMs} ms` : ''}`;
}
