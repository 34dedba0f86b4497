/**
 * The DynamoDB document client and the transaction helper. Created once per process, lazily,
 * so that the environment (TABLE_NAME, DYNAMODB_ENDPOINT) is read when first used.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DomainError } from '../core/errors.ts';

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

function makeClient(endpoint?: string, accessKeyId = 'admin'): DynamoDBDocumentClient {
  const base = new DynamoDBClient({
    ...(endpoint ? { endpoint, region: process.env.AWS_REGION ?? 'local', credentials: { accessKeyId, secretAccessKey: 'local' } } : {}),
    maxAttempts: 4,
  });
  if (endpoint) decorate?.(base);
  return DynamoDBDocumentClient.from(base, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/** Replace the client (tests inject failures through a middleware on their own client); undefined: back to the default ones. */
export function setClient(next: DynamoDBDocumentClient | undefined): void {
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
 * Run a transaction; on cancellation throw TxCancelled naming the failed guards. A cancellation for
 * contention alone (TransactionConflict, no condition failed) or a TransactionConflictException is
 * retried here a few times with jittered backoff (the SDK retries neither); then it is the caller's.
 */
export async function transact(actions: TxAction[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transactOnce(actions);
    } catch (err) {
      const contention = err instanceof TxCancelled ? err.cancellation.conflict && err.cancellation.failed.size === 0 : (err as Error).name === 'TransactionConflictException';
      if (!contention || attempt >= CONFLICT_TRIES) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 10 * 2 ** attempt)));
    }
  }
}
const CONFLICT_TRIES = 6;

async function transactOnce(actions: TxAction[]): Promise<void> {
  const items = actions.map(({ item }) => withOldValues(item));
  try {
    await db().send(new TransactWriteCommand({ TransactItems: items }));
  } catch (err) {
    const e = err as { name?: string; CancellationReasons?: { Code?: string; Item?: Record<string, any> }[] };
    if (e.name !== 'TransactionCanceledException' || !e.CancellationReasons) throw err;
    const failed = new Map<string, Record<string, unknown> | undefined>();
    let conflict = false;
    e.CancellationReasons.forEach((r, i) => {
      if (r.Code === 'ConditionalCheckFailed') failed.set(actions[i].label, r.Item ? unmarshall(r.Item) : undefined);
      else if (r.Code === 'TransactionConflict') conflict = true;
    });
    throw new TxCancelled({ failed, conflict });
  }
}

function withOldValues(item: TxItem): TxItem {
  const [kind] = Object.keys(item) as (keyof TxItem)[];
  const action = item[kind] as Record<string, unknown>;
  if (!action.ConditionExpression) return item;
  return { [kind]: { ...action, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } } as TxItem;
}

/**
 * Optimistic retry for writes guarded by a version read just before: `attempt` returns a value,
 * or `RETRY` when the version moved underneath it. Bounded, with jittered backoff.
 */
export const RETRY = Symbol('retry');
export async function withRetry<T>(attempt: () => Promise<T | typeof RETRY>, tries = 40): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const result = await attempt();
    if (result !== RETRY) return result;
    await new Promise((r) => setTimeout(r, Math.random() * Math.min(100, 2 ** i)));
  }
  throw new DomainError('CONFLICT', 'This record is changing too fast right now: retry the request');
}
