/**
 * The DynamoDB front: a small HTTP proxy in front of DynamoDB Local that speaks its JSON protocol
 * (X-Amz-Target + JSON body) and adds three things DynamoDB Local lacks but AWS enforces, each
 * switchable (README, "The DynamoDB front"):
 *
 * - IAM per function: the access key id of the SigV4 `Authorization` header is the calling
 *   function's name (the local runtime gives each function its own); the call must be allowed by
 *   that function's declared table access (lib/access.ts, the same declarations the stack's grants
 *   come from), on the table or, for a Query of an index, on `<table>/index/<name>`. Otherwise HTTP
 *   400 `AccessDeniedException`, as AWS answers. Any other access key id (`admin`: set-up, table
 *   creation, the CLI, tests' own clients) is allowed everything.
 * - Transaction conflicts: the items of a TransactWriteItems are held from its arrival until it is
 *   answered, and for at least the modelled commit time. A TransactWriteItems / TransactGetItems
 *   touching a held item is cancelled (`TransactionCanceledException`, reason `TransactionConflict`
 *   for that item, `None` for the others); a PutItem / UpdateItem / DeleteItem / BatchWriteItem on
 *   one fails with `TransactionConflictException`.
 * - Partition throughput: a token bucket per partition-key value (table and each GSI) refilling at
 *   1,000 write units/s and 3,000 read units/s times a scale factor; a request that finds its
 *   partition's bucket empty gets `ProvisionedThroughputExceededException`.
 */
import { appendFileSync } from 'node:fs';
import { createServer, request as httpRequest, Agent } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { TABLE } from '../table-definition.ts';
import type { TableGrant } from '../access.ts';

export interface FrontOptions {
  /** DynamoDB Local's endpoint, e.g. http://127.0.0.1:8000 */
  target: string;
  /** Port to listen on (0: a free one). */
  port?: number;
  /** Function name → its table grant (lib/functions.ts tableGrants()); IAM is off without it. */
  grants?: Map<string, TableGrant | undefined>;
  iam?: boolean;
  conflicts?: boolean;
  /** Modelled commit time of a TransactWriteItems, ms. */
  commitMs?: number;
  throughput?: boolean;
  /** Partition limits times this factor (0.1: 100 WCU/s and 300 RCU/s per partition). */
  scale?: number;
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
}

export interface DynamoFront {
  endpoint: string;
  port: number;
  options: Required<Omit<FrontOptions, 'grants' | 'port'>>;
  stats: FrontStats;
  resetStats(): void;
  stop(): Promise<void>;
}

/**
 * Default commit time: a TransactWriteItems is a two-phase protocol (prepare, then commit) run by a
 * coordinator against every item's storage node, each phase a replicated write of "single-digit
 * millisecond" latency (AWS's documented figure for a single write); AWS charges it as two writes
 * per item for that reason (DynamoDB Developer Guide, "Capacity management for transactions").
 * Two such phases plus the coordinator hop: 10 ms, the low end of what transactions take on AWS
 * (Idziorek et al., "Distributed Transactions at Scale in Amazon DynamoDB", USENIX ATC 2023, show
 * TransactWriteItems latency at a small multiple of a single write's and publish no absolute axis).
 */
export const DEFAULT_COMMIT_MS = 10;
/** Per partition (AWS Developer Guide, "Partitions and data distribution" / burst and adaptive capacity). */
export const PARTITION_WCU = 1000;
export const PARTITION_RCU = 3000;

const PREFIX = 'com.amazonaws.dynamodb.v20120810#';
const ARN_PREFIX = 'arn:aws:dynamodb:local:000000000000:table/';

/** Environment: DYNAMO_FRONT_IAM, DYNAMO_FRONT_CONFLICTS, DYNAMO_FRONT_COMMIT_MS, DYNAMO_FRONT_THROUGHPUT, DYNAMO_FRONT_SCALE. */
export function frontOptionsFromEnv(defaults: { iam: boolean; conflicts: boolean; throughput: boolean }, env = process.env) {
  const flag = (v: string | undefined, d: boolean) => (v === undefined || v === '' ? d : v === '1' || v === 'true' || v === 'on');
  return {
    iam: flag(env.DYNAMO_FRONT_IAM, defaults.iam),
    conflicts: flag(env.DYNAMO_FRONT_CONFLICTS, defaults.conflicts),
    commitMs: Number(env.DYNAMO_FRONT_COMMIT_MS ?? DEFAULT_COMMIT_MS),
    throughput: flag(env.DYNAMO_FRONT_THROUGHPUT, defaults.throughput),
    scale: Number(env.DYNAMO_FRONT_SCALE ?? 1),
  };
}

type Json = Record<string, any>;

function errorBody(type: string, message: string, extra: Json = {}, messageKey = 'message'): string {
  return JSON.stringify({ __type: type, [messageKey]: message, ...extra });
}

/** The access key id of a SigV4 Authorization header. */
export function accessKeyId(authorization: string | undefined): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1];
}

const keyOf = (table: string, key: Json) => `${table}\u0000${JSON.stringify(key[TABLE.partitionKey])}\u0000${JSON.stringify(key[TABLE.sortKey])}`;
const pick = (item: Json) => ({ [TABLE.partitionKey]: item[TABLE.partitionKey], [TABLE.sortKey]: item[TABLE.sortKey] });
const attrString = (v: Json | undefined) => (v ? String(v.S ?? v.N ?? v.B ?? JSON.stringify(v)) : undefined);
const kb = (bytes: number, unit: number) => Math.max(1, Math.ceil(bytes / unit));

/** What a request asks for: the IAM actions and resources, the items it writes, the partitions it uses. */
interface Access {
  action: string;
  resource: string;
}
interface Charge {
  partition: string;
  units: number;
}

export async function startDynamoFront(opts: FrontOptions): Promise<DynamoFront> {
  const options = {
    target: opts.target,
    iam: opts.iam ?? false,
    conflicts: opts.conflicts ?? false,
    commitMs: opts.commitMs ?? DEFAULT_COMMIT_MS,
    throughput: opts.throughput ?? false,
    scale: opts.scale ?? 1,
  };
  const grants = opts.grants ?? new Map();
  const target = new URL(options.target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const stats: FrontStats = { requests: 0, used: new Set(), denied: [], txConflicts: 0, writeConflicts: 0, throttled: 0 };
  /** Items held by in-flight transactions: key → count of holders. */
  const held = new Map<string, number>();
  /** Token buckets, one second of capacity deep: partition → { tokens, at }. */
  const buckets = new Map<string, { tokens: number; at: number }>();
  /** Each item's index partition keys, as last written through the front (GSI writes are charged there). */
  const indexKeys = new Map<string, Record<string, string>>();

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

  // ---------------------------------------------------------------- conflicts
  /** Keys a request touches, for the conflict model. */
  function writeKeys(op: string, body: Json): string[] {
    switch (op) {
      case 'PutItem':
        return [keyOf(body.TableName, pick(body.Item ?? {}))];
      case 'UpdateItem':
      case 'DeleteItem':
        return [keyOf(body.TableName, body.Key ?? {})];
      case 'BatchWriteItem':
        return Object.entries(body.RequestItems ?? {}).flatMap(([t, reqs]) =>
          (reqs as Json[]).map((r) => keyOf(t, r.PutRequest ? pick(r.PutRequest.Item) : r.DeleteRequest.Key)),
        );
      default:
        return [];
    }
  }
  function transactKeys(op: string, body: Json): string[] {
    return (body.TransactItems ?? []).map((ti: Json) => {
      const [kind] = Object.keys(ti);
      const a = ti[kind];
      return keyOf(a.TableName, kind === 'Put' ? pick(a.Item ?? {}) : a.Key ?? {});
    });
  }

  // ---------------------------------------------------------------- throughput
  const partitionOf = (table: string, key: Json) => `${table}\u0000${attrString(key[TABLE.partitionKey])}`;
  /** Index partitions an item write lands in: the item's index keys before and after. */
  function indexCharges(table: string, key: Json, next: Record<string, string> | null | undefined, units: number): Charge[] {
    const id = keyOf(table, key);
    const before = indexKeys.get(id) ?? {};
    const after = next === undefined ? before : next ?? {};
    if (next !== undefined) {
      if (next === null) indexKeys.delete(id);
      else indexKeys.set(id, next);
    }
    const parts = new Set<string>();
    for (const ix of TABLE.indexes) {
      if (before[ix.name]) parts.add(`${table}/${ix.name}\u0000${before[ix.name]}`);
      if (after[ix.name]) parts.add(`${table}/${ix.name}\u0000${after[ix.name]}`);
    }
    return [...parts].map((partition) => ({ partition, units }));
  }
  const itemIndexKeys = (item: Json): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const ix of TABLE.indexes) if (item[ix.partitionKey] && item[ix.sortKey]) out[ix.name] = attrString(item[ix.partitionKey])!;
    return out;
  };
  /** The index keys an UpdateItem sets or removes (SET a = :v / REMOVE a), applied to what is known. */
  function updatedIndexKeys(table: string, a: Json): Record<string, string> | undefined {
    const expr: string = a.UpdateExpression ?? '';
    const names: Json = a.ExpressionAttributeNames ?? {};
    const values: Json = a.ExpressionAttributeValues ?? {};
    const current = { ...(indexKeys.get(keyOf(table, a.Key ?? {})) ?? {}) };
    let changed = false;
    const resolve = (n: string) => (n.startsWith('#') ? names[n] : n);
    for (const ix of TABLE.indexes) {
      for (const m of expr.matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) {
        if (resolve(m[1]) === ix.partitionKey) {
          current[ix.name] = attrString(values[m[2]])!;
          changed = true;
        }
      }
      const remove = /REMOVE\s+([^]*?)(?=\s+(?:SET|ADD|DELETE)\s|$)/i.exec(expr)?.[1] ?? '';
      if (remove.split(',').some((n) => resolve(n.trim()) === ix.partitionKey)) {
        delete current[ix.name];
        changed = true;
      }
    }
    return changed ? current : undefined;
  }

  /** Write charges of a request (1 KB units, transactions ×2, each index partition the item is in). */
  function writeCharges(op: string, body: Json): Charge[] {
    const out: Charge[] = [];
    const one = (table: string, kind: string, a: Json, factor: number) => {
      const key = kind === 'Put' ? pick(a.Item ?? {}) : a.Key ?? {};
      const units = kb(JSON.stringify(kind === 'Put' ? a.Item : a).length, 1024) * factor;
      out.push({ partition: partitionOf(table, key), units });
      if (kind === 'ConditionCheck') return;
      const next = kind === 'Put' ? itemIndexKeys(a.Item ?? {}) : kind === 'Delete' ? null : updatedIndexKeys(table, a);
      out.push(...indexCharges(table, key, next, units / factor));
    };
    if (op === 'PutItem') one(body.TableName, 'Put', body, 1);
    else if (op === 'UpdateItem') one(body.TableName, 'Update', body, 1);
    else if (op === 'DeleteItem') one(body.TableName, 'Delete', body, 1);
    else if (op === 'BatchWriteItem')
      for (const [t, reqs] of Object.entries(body.RequestItems ?? {}))
        for (const r of reqs as Json[]) r.PutRequest ? one(t, 'Put', r.PutRequest, 1) : one(t, 'Delete', r.DeleteRequest, 1);
    else if (op === 'TransactWriteItems')
      for (const ti of body.TransactItems ?? []) {
        const [kind] = Object.keys(ti);
        one(ti[kind].TableName, kind, ti[kind], 2);
      }
    return out;
  }
  /** Read partitions of a request; units are charged after the answer, by its size (4 KB units). */
  function readPartitions(op: string, body: Json): string[] {
    if (op === 'GetItem') return [partitionOf(body.TableName, body.Key ?? {})];
    if (op === 'TransactGetItems') return (body.TransactItems ?? []).map((ti: Json) => partitionOf(ti.Get.TableName, ti.Get.Key ?? {}));
    if (op === 'BatchGetItem')
      return Object.entries(body.RequestItems ?? {}).flatMap(([t, r]) => ((r as Json).Keys ?? []).map((k: Json) => partitionOf(t, k)));
    if (op === 'Query') {
      const pk = body.IndexName ? TABLE.indexes.find((i) => i.name === body.IndexName)?.partitionKey : TABLE.partitionKey;
      const expr: string = body.KeyConditionExpression ?? '';
      const names: Json = body.ExpressionAttributeNames ?? {};
      for (const m of expr.matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) {
        if ((m[1].startsWith('#') ? names[m[1]] : m[1]) === pk) {
          return [`${body.IndexName ? `${body.TableName}/${body.IndexName}` : body.TableName}\u0000${attrString(body.ExpressionAttributeValues?.[m[2]])}`];
        }
      }
    }
    return [];
  }

  // ---------------------------------------------------------------- the proxy
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

  function reply(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, any> = { 'content-type': 'application/x-amz-json-1.0' }) {
    const { 'transfer-encoding': _te, connection: _c, 'keep-alive': _k, ...rest } = headers;
    res.writeHead(status, { ...rest, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  }
  const fail = (res: ServerResponse, type: string, body: string) =>
    reply(res, 400, body, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': type });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
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
    if (grants.has(identity)) for (const a of accessOf(op, body)) stats.used.add(`${identity}\t${a.action}\t${a.resource.includes('/index/') ? 'index' : 'table'}`);

    const now = Date.now();
    const transactWrite = op === 'TransactWriteItems';
    const txKeys = options.conflicts && (transactWrite || op === 'TransactGetItems') ? transactKeys(op, body) : [];
    if (options.conflicts) {
      if (txKeys.some((k) => held.has(k))) {
        stats.txConflicts++;
        const reasons = txKeys.map((k) => (held.has(k) ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' } : { Code: 'None' }));
        const message = `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`;
        return fail(res, 'TransactionCanceledException', errorBody(`${PREFIX}TransactionCanceledException`, message, { CancellationReasons: reasons }, 'Message'));
      }
      if (writeKeys(op, body).some((k) => held.has(k))) {
        stats.writeConflicts++;
        return fail(res, 'TransactionConflictException', errorBody(`${PREFIX}TransactionConflictException`, 'Transaction is ongoing for the item'));
      }
    }

    let reads: string[] = [];
    if (options.throughput) {
      const charges = writeCharges(op, body);
      const rcu = PARTITION_RCU * options.scale;
      const wcu = PARTITION_WCU * options.scale;
      reads = readPartitions(op, body);
      // a request is refused when any partition it needs has no capacity left; only then is it charged
      const need = new Map<string, number>();
      for (const c of charges) need.set(c.partition, (need.get(c.partition) ?? 0) + c.units);
      const empty = [...need].some(([p]) => peek(p, wcu, now) <= 0) || reads.some((p) => peek(`r:${p}`, rcu, now) <= 0);
      if (empty) {
        stats.throttled++;
        if (process.env.DYNAMO_FRONT_THROTTLED_LOG) {
          const out = [...need].filter(([p]) => peek(p, wcu, now) <= 0).map(([p]) => `w ${p}`).concat(reads.filter((p) => peek(`r:${p}`, rcu, now) <= 0).map((p) => `r ${p}`));
          appendFileSync(process.env.DYNAMO_FRONT_THROTTLED_LOG, `${JSON.stringify({ op, empty: out })}\n`);
        }
        return fail(
          res,
          'ProvisionedThroughputExceededException',
          errorBody(
            `${PREFIX}ProvisionedThroughputExceededException`,
            'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
          ),
        );
      }
      for (const [p, units] of need) debit(p, units, wcu, now);
    }

    // held for the modelled commit time from arrival (not for as long as DynamoDB Local takes: a slow
    // emulator must not lengthen the model's conflict window); answered no earlier than that
    const holding = txKeys.length > 0 && transactWrite;
    if (holding) {
      for (const k of txKeys) held.set(k, (held.get(k) ?? 0) + 1);
      setTimeout(() => {
        for (const k of txKeys) {
          const n = (held.get(k) ?? 1) - 1;
          if (n > 0) held.set(k, n);
          else held.delete(k);
        }
      }, options.commitMs).unref();
    }
    const out = await forward(req, raw);
    if (options.throughput && reads.length && out.status === 200) {
      const factor = op === 'TransactGetItems' ? 2 : body.ConsistentRead ? 1 : 0.5;
      const units = (kb(out.body.length, 4096) * factor) / reads.length;
      for (const p of reads) debit(`r:${p}`, units, PARTITION_RCU * options.scale, Date.now());
    }
    if (holding) {
      const wait = now + options.commitMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    return reply(res, out.status, out.body, out.headers);
  }
  function peek(partition: string, perSecond: number, now: number): number {
    const b = buckets.get(partition);
    if (!b) return perSecond;
    b.tokens = Math.min(perSecond, b.tokens + ((now - b.at) / 1000) * perSecond);
    b.at = now;
    return b.tokens;
  }
  /** Capacity may go negative (a request larger than what is left still passes); the next one waits for the refill. */
  function debit(partition: string, units: number, perSecond: number, now: number) {
    peek(partition, perSecond, now);
    const b = buckets.get(partition);
    if (b) b.tokens -= units;
    else buckets.set(partition, { tokens: perSecond - units, at: now });
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
      Object.assign(stats, { requests: 0, denied: [], txConflicts: 0, writeConflicts: 0, throttled: 0 });
    },
    async stop() {
      // DYNAMO_FRONT_USAGE_LOG: what the functions did through this front, for the grant audit (bin/grant-usage.ts)
      if (process.env.DYNAMO_FRONT_USAGE_LOG && stats.used.size) appendFileSync(process.env.DYNAMO_FRONT_USAGE_LOG, [...stats.used].map((u) => `${u}\n`).join(''));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      agent.destroy();
    },
  };
}

/**
 * The front with every function's grants (lib/functions.ts), its switches from the environment over
 * the caller's defaults. Imported lazily: the route table (and its schemas) loads only here.
 */
export async function startFrontFor(target: string, defaults: { iam: boolean; conflicts: boolean; throughput: boolean }, port = 0): Promise<DynamoFront> {
  const { tableGrants } = await import('../functions.ts');
  return startDynamoFront({ target, port, grants: tableGrants(), ...frontOptionsFromEnv(defaults) });
}

/** One line for a start-up log. */
export function describeFront(f: DynamoFront): string {
  const o = f.options;
  const on = (b: boolean) => (b ? 'on' : 'off');
  return `IAM ${on(o.iam)}, transaction conflicts ${on(o.conflicts)}${o.conflicts ? ` (commit ${o.commitMs} ms)` : ''}, partition limits ${on(o.throughput)}${o.throughput ? ` (×${o.scale})` : ''}`;
}
