/**
 * The DynamoDB document client and the transaction helper. Created once per process, lazily,
 * so that the environment (TABLE_NAME, DYNAMODB_ENDPOINT) is read when first used.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { RetryStrategy, RetryStrategyV2 } from '@smithy/types';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DomainError } from '../core/errors.ts';
import { changingTooFast } from '../core/retry.ts';

let client: DynamoDBDocumentClient | undefined;
/** Locally (DYNAMODB_ENDPOINT set): one client per function, its access key id the function's name. */
const local = new Map<string, DynamoDBDocumentClient>();

/**
 * The function running now, locally: the local runtime runs every function in one process and sets
 * this around each invocation, so the local DynamoDB front sees (and checks) which function calls.
 */
const running = new AsyncLocalStorage<string>();
export const runAs = <T>(functionName: string, fn: () => T): T => running.run(functionName, fn);
/** Outside any function (set-up, the CLI, tests): `admin`, which the local front allows everything. */
export const currentFunction = (): string => running.getStore() ?? 'admin';

export function db(): DynamoDBDocumentClient {
  if (client) return client;
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) return (client = makeClient());
  const who = currentFunction();
  let c = local.get(who);
  if (!c) local.set(who, (c = makeClient(endpoint, who)));
  return c;
}

/** Locally: something to do to every client made (the benchmark counts requests with a middleware). */
let decorate: ((client: DynamoDBClient) => void) | undefined;
export function decorateClients(f: ((client: DynamoDBClient) => void) | undefined): void {
  decorate = f;
}

const LOCAL_MAX_SOCKETS = 512;
function makeClient(endpoint?: string, accessKeyId = 'admin'): DynamoDBDocumentClient {
  const base = new DynamoDBClient({
    ...(endpoint
      ? {
          endpoint,
          region: process.env.AWS_REGION ?? 'local',
          credentials: { accessKeyId, secretAccessKey: 'local' },
          // locally one process serves every concurrent call of a function (on Lambda each call has a
          // process of its own): the SDK's 50 sockets would queue them behind each other's slow transactions
          requestHandler: { httpAgent: { maxSockets: LOCAL_MAX_SOCKETS } },
        }
      : {}),
    maxAttempts: 4,
  });
  noteWrites(base);
  if (endpoint) decorate?.(base);
  return DynamoDBDocumentClient.from(base, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/** Replace the client (tests inject failures through a middleware on their own client); undefined: back to the default ones. */
export function setClient(next: DynamoDBDocumentClient | undefined): void {
  if (next) noteWrites(next);
  client = next;
  if (!next) {
    for (const c of local.values()) c.destroy();
    local.clear();
  }
}

export function tableName(): string {
  const name = process.env.TABLE_NAME;
  if (!name) throw new Error('TABLE_NAME is not set');
  return name;
}

type TxItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** One action of a transaction, labelled so a cancellation can say which guard failed. */
export interface TxAction {
  label: string;
  item: TxItem;
}

export interface Cancellation {
  /** Labels of the actions whose condition failed, with the item as it was (ALL_OLD). */
  failed: Map<string, Record<string, unknown> | undefined>;
  /** True when DynamoDB cancelled for contention rather than a condition (retry). */
  conflict: boolean;
}

export class TxCancelled extends Error {
  constructor(readonly cancellation: Cancellation) {
    super(`transaction cancelled: ${[...cancellation.failed.keys()].join(', ') || 'conflict'}`);
  }
}

/**
 * An Idempotency-Key claimed by the request being served (functions/edge/idempotency.ts). While it
 * is pending, the request's first committing write carries it: `transact` (and `writeItem`) add an
 * Update of the idempotency record `SET state = committed IF state = in_progress AND token = mine`
 * to that transaction, so the effect and "this key was used" commit together or not at all.
 */
export interface PendingClaim {
  Key: { PK: string; SK: string };
  token: string;
  /** The status a retry answers with if the response cannot be kept. */
  status: number;
  /** Set once a transaction carrying the claim committed. */
  committed: boolean;
  /** The id of the resource the request creates (for a retry that answers from its current state). */
  ref?: string;
  /**
   * The claim found no earlier use of the key (no record, or an expired one): no earlier attempt of
   * this request can have taken effect. A hot level's escrow take (store/levels.ts) relies on it.
   */
  fresh?: boolean;
}

const claims = new AsyncLocalStorage<PendingClaim | undefined>();

/**
 * Whether the request being served has had a write accepted by DynamoDB (any Put, Update, Delete,
 * transaction or batch write that succeeded), noted by a middleware on every store client: a failure
 * after that is not "nothing happened" (the edge answers it 500, not 429).
 */
const writes = new AsyncLocalStorage<{ wrote: boolean; deadline: number }>();
export const WRITE_COMMANDS = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'TransactWriteItemsCommand', 'BatchWriteItemCommand']);
export function trackingWrites<T>(fn: () => Promise<T>, opts: { deadline?: number } = {}): Promise<T> {
  return writes.run({ wrote: false, deadline: opts.deadline ?? Number.POSITIVE_INFINITY }, fn);
}
export const wroteInThisRequest = () => writes.getStore()?.wrote === true;
/**
 * Run `fn` with its writes not counted as the request's: the Idempotency-Key's own record (the
 * claim, its release, the stored answer) is bookkeeping, not the request's effect. A keyed request
 * throttled after its claim but before its effect changed nothing (the key is given back): a 429,
 * as without a key. The claim's flip rides in the effect's own transaction, which counts.
 */
export const untracked = <T>(fn: () => Promise<T>): Promise<T> => writes.exit(fn);
const READ_COMMANDS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'TransactGetItemsCommand']);
const THROTTLES = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);
/** DynamoDB throttling (a partition, table or account over its limit), as the SDK answers it after its own retries. */
export const isThrottled = (err: unknown): boolean => THROTTLES.has(String((err as { name?: string } | undefined)?.name));
/**
 * A read throttled after the request's write committed is tried again, up to AFTER_WRITE_READ_TRIES
 * more times (100 ms, doubling: about 3 s in all), while the request has time left (its deadline: the
 * function's remaining time, less a second to answer). Before a write, a throttle is answered 429
 * (nothing happened; the caller retries); after one, the answer is all that is left to give, and a
 * request without an Idempotency-Key cannot be sent again safely.
 * These tries are the only ones such a read gets on a throttle: the SDK's are off for it (throttlesToStore).
 * Stacked, the two multiplied (4 attempts, each with the SDK's throttling backoff of up to 1, 2, 4 s,
 * in each of 6 tries): one throttled read after a write took 20-30 s, past the function's 10 s
 * timeout, and a reservation that was made answered 500 (stop 32's CI).
 * (Reads of a hot item share its partition's read units with every reader: the answer's embed of
 * the item a reservation was made at, for one, reads the partition just written.)
 */
const AFTER_WRITE_READ_TRIES = 5;
/** Set around a call whose throttles noteWrites retries itself: the SDK does not. */
const ownRetries = new AsyncLocalStorage<boolean>();
const isRetryStrategyV2 = (s: RetryStrategy | RetryStrategyV2): s is RetryStrategyV2 => 'refreshRetryTokenForRetry' in s;
/**
 * The SDK's retry strategy around a read noteWrites retries itself: the SDK's own, except that a
 * throttle is thrown at once (noteWrites tries it again); other transient errors the SDK retries.
 */
function throttlesToStore(sdk: RetryStrategyV2): RetryStrategyV2 {
  return {
    acquireInitialRetryToken: (scope) => sdk.acquireInitialRetryToken(scope),
    refreshRetryTokenForRetry: async (token, info) => {
      if (info.errorType === 'THROTTLING') throw new Error('a throttle after a write: retried by the store');
      return sdk.refreshRetryTokenForRetry(token, info);
    },
    recordSuccess: (token) => sdk.recordSuccess(token),
  };
}

function noteWrites(client: Pick<DynamoDBClient, 'middlewareStack' | 'config'>): void {
  if (client.middlewareStack.identify().some((m) => m.startsWith('noteWrites'))) return;
  // the SDK's retry middleware asks for its strategy on every call: inside noteWrites' own tries, one that leaves throttles to them
  // (a stand-in client of a test may have no config: nothing to wrap)
  const sdkRetries = client.config?.retryStrategy;
  if (sdkRetries)
    client.config.retryStrategy = async () => {
      const sdk = await sdkRetries();
      return ownRetries.getStore() && isRetryStrategyV2(sdk) ? throttlesToStore(sdk) : sdk;
    };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const seen = writes.getStore();
      const command = String(context.commandName);
      const afterWrite = seen?.wrote === true && READ_COMMANDS.has(command);
      for (let tries = 0; ; tries++) {
        try {
          const out = await (afterWrite ? ownRetries.run(true, () => next(args)) : next(args));
          if (seen && WRITE_COMMANDS.has(command)) seen.wrote = true;
          return out;
        } catch (err) {
          const delay = 100 * 2 ** tries;
          const again = afterWrite && isThrottled(err) && tries < AFTER_WRITE_READ_TRIES && Date.now() + delay < (seen?.deadline ?? 0);
          if (!again) throw err;
          await new Promise((r) => setTimeout(r, delay));
        }
      }
    },
    { step: 'initialize', name: 'noteWrites' },
  );
}

/** Run `fn` (a request's handler) with `claim` pending: its first committing transaction carries it. */
export function runWithClaim<T>(claim: PendingClaim, fn: () => Promise<T>): Promise<T> {
  return claims.run(claim, fn);
}

/**
 * Run `fn` without the pending claim: for the writes of a request that commits several
 * transactions where only a later one may carry the claim (see README, Keys and idempotency).
 */
export function withoutClaim<T>(fn: () => Promise<T>): Promise<T> {
  return claims.run(undefined, fn);
}

/** The claim pending in this request (undefined: no Idempotency-Key, or writes outside the claim). */
export const pendingClaim = (): PendingClaim | undefined => claims.getStore();

/**
 * The request's effect committed in a write that could not carry the claim's flip (a hot level's
 * escrow take: one UpdateItem of a shard, its pending entry naming the record, which the
 * materialiser flips): the request is committed from here on (never given back) and answers `ref`.
 */
export function noteCommittedElsewhere(ref: string): void {
  const c = claims.getStore();
  if (!c || c.committed) return;
  c.ref = ref;
  c.committed = true;
}

/** The request's new resource id, kept on the idempotency record by the committing transaction. */
export function noteRef(ref: string): void {
  const c = claims.getStore();
  if (c && !c.committed) c.ref = ref;
}

/** One slot of DynamoDB's 100 actions per transaction is kept for an idempotency claim. */
export const TX_LIMIT = 99;

const CLAIM_LABEL = '__idempotency';

function claimAction(c: PendingClaim): TxAction {
  return {
    label: CLAIM_LABEL,
    item: {
      Update: {
        TableName: tableName(),
        Key: c.Key,
        UpdateExpression: `SET #state = :committed, #status = :status${c.ref ? ', #ref = :ref' : ''} REMOVE lock_until`,
        ConditionExpression: '#state = :progress AND #token = :token',
        ExpressionAttributeNames: { '#state': 'state', '#status': 'status', '#token': 'token', ...(c.ref ? { '#ref': 'ref' } : {}) },
        ExpressionAttributeValues: {
          ':committed': 'committed',
          ':status': c.status,
          ':progress': 'in_progress',
          ':token': c.token,
          ...(c.ref ? { ':ref': c.ref } : {}),
        },
      },
    },
  };
}

/**
 * Run a transaction; on cancellation throw TxCancelled naming the failed guards. Contention is
 * retried (`retryConflicts`), so every transaction of the service gets the same bounded retry.
 */
export async function transact(actions: TxAction[]): Promise<void> {
  return retryConflicts(() => transactOnce(actions));
}

/**
 * DynamoDB refused for contention alone: a transaction cancelled by TransactionConflict with no
 * condition failed, a TransactGetItems cancelled by one, or a write on an item a transaction holds.
 */
const isContention = (err: unknown) => {
  const e = err as { name?: string; CancellationReasons?: { Code?: string }[] };
  return (
    (err instanceof TxCancelled && err.cancellation.conflict && err.cancellation.failed.size === 0) ||
    e.name === 'TransactionConflictException' ||
    (e.name === 'TransactionCanceledException' && !!e.CancellationReasons?.some((r) => r.Code === 'TransactionConflict'))
  );
};

/** The answer when contention outlasts the retries (409 CONFLICT: the caller may send it again). */
export { changingTooFast };

/**
 * Retry a write refused for contention (the SDK retries neither TransactionConflict nor
 * TransactionConflictException): bounded and jittered; contention that does not end is a 409 CONFLICT.
 */
export async function retryConflicts<T>(write: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await write();
    } catch (err) {
      if (!isContention(err)) throw err;
      if (i >= CONFLICT_RETRIES) throw changingTooFast();
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(250, 5 * 2 ** i)));
    }
  }
}

/** Retries of a write refused for contention alone (beyond that: 409 CONFLICT). */
const CONFLICT_RETRIES = 14;

async function transactOnce(actions: TxAction[]): Promise<void> {
  const claim = claims.getStore();
  const carried = claim && !claim.committed ? [...actions, claimAction(claim)] : actions;
  const items = carried.map(({ item }) => withOldValues(item));
  try {
    await db().send(new TransactWriteCommand({ TransactItems: items }));
  } catch (err) {
    // biome-ignore lint/suspicious/noExplicitAny: a cancelled item's old image is an untyped DynamoDB item
    const e = err as { name?: string; CancellationReasons?: { Code?: string; Item?: Record<string, any> }[] };
    if (e.name !== 'TransactionCanceledException' || !e.CancellationReasons) throw err;
    const failed = new Map<string, Record<string, unknown> | undefined>();
    let conflict = false;
    e.CancellationReasons.forEach((r, i) => {
      if (r.Code === 'ConditionalCheckFailed') failed.set(carried[i].label, r.Item ? unmarshall(r.Item) : undefined);
      else if (r.Code === 'TransactionConflict') conflict = true;
    });
    if (claim && failed.has(CLAIM_LABEL)) {
      const rec = failed.get(CLAIM_LABEL);
      // our own transaction committed on an attempt whose answer was lost (the SDK retried it)
      if (rec && rec.token === claim.token && (rec.state === 'committed' || rec.state === 'completed')) {
        claim.committed = true;
        return;
      }
      // the claim was taken over (it outlived its lock): this request may no longer commit anything
      throw new DomainError('CONFLICT', 'Another request with this Idempotency-Key took over: retry with the same key to get its answer');
    }
    throw new TxCancelled({ failed, conflict });
  }
  if (claim && carried !== actions) claim.committed = true;
}

/**
 * A transaction whose refusal the caller answers: undefined when it committed, else the
 * cancellation (which conditions failed, with the items as they were). Any other error is thrown.
 */
export async function transactOrCancelled(actions: TxAction[], opts: { retryConflicts?: boolean } = {}): Promise<Cancellation | undefined> {
  try {
    // retryConflicts false: contention is answered too (`conflict`, nothing failed), for a caller
    // that has somewhere else to go (hot mode's next shard)
    await (opts.retryConflicts === false ? transactOnce(actions) : transact(actions));
    return undefined;
  } catch (err) {
    if (err instanceof TxCancelled) return err.cancellation;
    throw err;
  }
}

/**
 * A single-item write whose failed condition is an answer, not an error: the write's output, or
 * undefined when its condition failed. Any other error is thrown.
 */
export async function unlessConditionFails<T>(write: () => Promise<T>): Promise<T | undefined> {
  try {
    return await write();
  } catch (err) {
    if ((err as Error).name === 'ConditionalCheckFailedException') return undefined;
    throw err;
  }
}

type SingleWrite = { Put: NonNullable<TxItem['Put']> } | { Update: NonNullable<TxItem['Update']> } | { Delete: NonNullable<TxItem['Delete']> };

/**
 * A single-item write on a request path. With no pending claim it is the plain Put / Update /
 * Delete; with one, a transaction of the write and the claim. A failed condition throws an error
 * named `ConditionalCheckFailedException` either way, and `ReturnValues: ALL_NEW` is honoured
 * (by a consistent read after the transaction).
 */
// biome-ignore lint/suspicious/noExplicitAny: DynamoDB items are untyped here; the entities type them
export async function writeItem(write: SingleWrite & { ReturnValues?: 'ALL_NEW' }): Promise<{ Attributes?: Record<string, any> }> {
  const claim = claims.getStore();
  // biome-ignore lint/suspicious/noExplicitAny: each kind has its own input type; the command is built from the kind
  const [kind, input] = Object.entries(write).find(([k]) => k !== 'ReturnValues') as [keyof SingleWrite, any];
  if (!claim || claim.committed) {
    const params = { ...input, ...(write.ReturnValues ? { ReturnValues: write.ReturnValues } : {}) };
    const cmd = kind === 'Put' ? new PutCommand(params) : kind === 'Update' ? new UpdateCommand(params) : new DeleteCommand(params);
    // biome-ignore lint/suspicious/noExplicitAny: the command is one of three kinds with the same output shape
    return retryConflicts(async () => (await db().send(cmd as any)) as { Attributes?: Record<string, any> });
  }
  try {
    await transact([{ label: 'write', item: { [kind]: input } as TxItem }]);
  } catch (err) {
    if (err instanceof TxCancelled && err.cancellation.failed.has('write')) {
      throw Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException', Item: err.cancellation.failed.get('write') });
    }
    throw err;
  }
  if (!write.ReturnValues) return {};
  const key = kind === 'Put' ? pick(input.Item, ['PK', 'SK']) : input.Key;
  const res = await db().send(new GetCommand({ TableName: input.TableName, Key: key, ConsistentRead: true }));
  return { Attributes: res.Item };
}

const pick = (o: Record<string, unknown>, ks: string[]) => Object.fromEntries(ks.map((k) => [k, o[k]]));

function withOldValues(item: TxItem): TxItem {
  const [kind] = Object.keys(item) as (keyof TxItem)[];
  const action = item[kind] as Record<string, unknown>;
  if (!action.ConditionExpression) return item;
  return { [kind]: { ...action, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } } as TxItem;
}

/** Optimistic retry of writes guarded by a version read just before (core/retry.ts). */
export { RETRY, withRetry } from '../core/retry.ts';
