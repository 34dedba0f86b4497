/**
 * Idempotency records, in the same table, per API key: `T#t#IDEM#<key id>#<sha256 of the
 * Idempotency-Key>`. A record moves through these states:
 *
 * - `in_progress` {fingerprint, token, lock_until}: a request claimed the key (conditional Put).
 * - `committed` {fingerprint, token, status, ref?}: the request's first effect transaction flipped it
 *   (functions/store/db.ts `transact` carries the flip), so the effect and "key used" are one commit.
 * - `completed` {fingerprint, token, response}: the response was stored too (when it fits, and
 *   never for an answer holding a secret: POST /api/keys stays `committed` with the key's id).
 * - `released` {fingerprint}: the request ended before committing anything; a retry with the same
 *   body runs afresh, another body is still 422.
 *
 * Every transition after the claim is conditioned on the claim's token, so a request whose claim
 * outlived its lock and was taken over can neither commit an effect nor overwrite the record.
 */
import { createHash, randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName, unlessConditionFails, untracked, withoutClaim } from './db.ts';
import type { PendingClaim, TxAction } from './db.ts';

const TTL_SECONDS = 24 * 3600;
/**
 * A claim neither committed nor released within this time (its request crashed) may be taken
 * over by a retry. `INVENTORY_IDEMPOTENCY_LOCK_SECONDS`, default 30 (three times the Lambda
 * timeout; a taken-over request can no longer commit, so the lock only bounds the wait).
 */
export const lockMs = () => 1000 * Number(process.env.INVENTORY_IDEMPOTENCY_LOCK_SECONDS || 30);
/** Response bodies up to this size (UTF-8 bytes) are stored; measured against the 400 KB item limit. */
export const MAX_STORED_BODY = 200 * 1024;
/** Attempts at storing a response (each after the SDK's own retries). */
export const COMPLETE_ATTEMPTS = 4;

export interface StoredResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface Scope {
  tenant: string;
  keyId: string;
}

export type Claim =
  | { kind: 'claimed'; claim: PendingClaim }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'committed'; status: number; ref?: string }
  | { kind: 'mismatch' }
  | { kind: 'in_progress' };

/** The record's key (exported for tests that age a claim). */
export const keyOf = (scope: Scope, idemKey: string) => ({
  PK: `T#${scope.tenant}#IDEM#${scope.keyId}#${createHash('sha256').update(idemKey).digest('hex')}`,
  SK: 'IDEM',
});

export async function claim(scope: Scope, idemKey: string, fingerprint: string, status: number, now = Date.now()): Promise<Claim> {
  const Key = keyOf(scope, idemKey);
  const token = randomUUID();
  try {
    const put = await untracked(() =>
      db().send(
        new PutCommand({
          TableName: tableName(),
          Item: {
            ...Key,
            entity: 'idempotency',
            state: 'in_progress',
            fingerprint,
            token,
            lock_until: now + lockMs(),
            ttl: Math.floor(now / 1000) + TTL_SECONDS,
          },
          // first use of the key, or an expired record; or, for the same request only, a key given
          // back (released) or a claim abandoned by a crashed request
          ConditionExpression:
            'attribute_not_exists(PK) OR #ttl < :nowSec OR (fingerprint = :fp AND (#state = :released OR (#state = :progress AND lock_until < :now)))',
          ExpressionAttributeNames: { '#ttl': 'ttl', '#state': 'state' },
          ExpressionAttributeValues: {
            ':nowSec': Math.floor(now / 1000),
            ':fp': fingerprint,
            ':released': 'released',
            ':progress': 'in_progress',
            ':now': now,
          },
          ReturnValues: 'ALL_OLD',
        }),
      ),
    );
    // fresh: no earlier use of the key (nothing replaced, or an expired record)
    const old = put.Attributes;
    const fresh = !old || Number(old.ttl) < Math.floor(now / 1000);
    return { kind: 'claimed', claim: { Key, token, status, committed: false, fresh } };
  } catch (err) {
    // the record is part of a transaction in flight: a request with this key is committing right now
    if ((err as Error).name === 'TransactionConflictException') return { kind: 'in_progress' };
    if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
  }
  const res = await db().send(new GetCommand({ TableName: tableName(), Key, ConsistentRead: true }));
  const row = res.Item;
  if (!row) return claim(scope, idemKey, fingerprint, status, now);
  // our own Put landed and only its answer was lost (the SDK retried it)
  if (row.token === token && row.state === 'in_progress') return { kind: 'claimed', claim: { Key, token, status, committed: false } };
  if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
  if (row.state === 'completed')
    return {
      kind: 'replay',
      response: { statusCode: Number(row.response_status), headers: row.response_headers ?? {}, body: String(row.response_body ?? '') },
    };
  if (row.state === 'committed') return { kind: 'committed', status: Number(row.status), ...(row.ref ? { ref: String(row.ref) } : {}) };
  if (row.state === 'released' || Number(row.lock_until) < Date.now()) return claim(scope, idemKey, fingerprint, status, Date.now());
  return { kind: 'in_progress' };
}

/**
 * Store the response of the claim's request (its effect committed, or it had none to commit).
 * `keep: false` (an answer holding a secret: a new API key's) or a response too large is not
 * stored: the record stays `committed` with the status, and a retry answers from the route's replay.
 */
export async function complete(c: PendingClaim, response: StoredResponse, opts: { keep?: boolean } = {}): Promise<'completed' | 'kept_committed' | 'lost'> {
  const fits = opts.keep !== false && Buffer.byteLength(response.body) + Buffer.byteLength(JSON.stringify(response.headers)) <= MAX_STORED_BODY;
  // A failure here (a throttle, a timeout past the SDK's own retries) would leave the answer unstored
  // and every retry of the key answering from the resource's state instead: try a few times more.
  // Safe to repeat: the write is conditioned on the claim's token and state, and one that landed
  // with its answer lost makes the next attempt's condition fail (`lost`, the response is stored).
  for (let attempt = 1; ; attempt++) {
    try {
      await untracked(() =>
        db().send(
          new UpdateCommand({
            TableName: tableName(),
            Key: c.Key,
            UpdateExpression: fits
              ? 'SET #state = :completed, response_status = :s, response_headers = :h, response_body = :b REMOVE lock_until'
              : 'SET #state = :committed, #status = if_not_exists(#status, :s) REMOVE lock_until',
            ConditionExpression: '#token = :token AND #state IN (:progress, :committed)',
            ExpressionAttributeNames: { '#state': 'state', '#token': 'token', ...(fits ? {} : { '#status': 'status' }) },
            ExpressionAttributeValues: {
              ':token': c.token,
              ':progress': 'in_progress',
              ':committed': 'committed',
              ':s': response.statusCode,
              ...(fits ? { ':completed': 'completed', ':h': response.headers, ':b': response.body } : {}),
            },
          }),
        ),
      );
      return fits ? 'completed' : 'kept_committed';
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return 'lost';
      if (attempt >= COMPLETE_ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, 50 * 2 ** attempt * Math.random()));
    }
  }
}

/**
 * A request that committed nothing (a 4xx, or a failure before its first transaction) gives its
 * key back, keeping the fingerprint. False when the record is no longer this claim's in_progress
 * one: then its effect did commit (an answer lost on the way back), or another request took over.
 */
export async function release(c: PendingClaim): Promise<boolean> {
  return (
    (await unlessConditionFails(() =>
      untracked(() =>
        db().send(
          new UpdateCommand({
            TableName: tableName(),
            Key: c.Key,
            UpdateExpression: 'SET #state = :released REMOVE lock_until, #token',
            ConditionExpression: '#token = :token AND #state = :progress',
            ExpressionAttributeNames: { '#state': 'state', '#token': 'token' },
            ExpressionAttributeValues: { ':token': c.token, ':progress': 'in_progress', ':released': 'released' },
          }),
        ),
      ),
    )) !== undefined
  );
}

/** The record as stored (tests and the edge's recovery after an unknown outcome). */
// biome-ignore lint/suspicious/noExplicitAny: the record as stored: an untyped DynamoDB item
export async function readRecord(c: PendingClaim): Promise<Record<string, any> | undefined> {
  return (await db().send(new GetCommand({ TableName: tableName(), Key: c.Key, ConsistentRead: true }))).Item;
}

/**
 * Run `fn` as a write that is not the request's effect (an item a record request needs before the
 * level it creates): the request's Idempotency-Key claim goes with a later write, not with these.
 */
export const besideTheEffect = <T>(fn: () => Promise<T>): Promise<T> => withoutClaim(fn);

/**
 * The progress of a keyed request that commits several transactions (POST /api/inventory/bulk):
 * `T#t#IDEM#<key id>#<sha256>` / `PROGRESS`, beside the record, with the same 24 h ttl. Each of the
 * request's transactions carries `progressAction`, so what it says is exactly what committed: how
 * many rows were decided (`done`) and their results in order. A retry of a used key (the answer
 * was never stored: a crash or an error after the commit) answers from it; nothing runs again.
 */
export const progressKey = (scope: Scope, idemKey: string) => ({ PK: keyOf(scope, idemKey).PK, SK: 'PROGRESS' });

/** The progress write of one transaction: `first` replaces what an expired use of the key left. */
export function progressAction(key: { PK: string; SK: string }, first: boolean, done: number, results: unknown[], now = Date.now()): TxAction {
  return {
    label: 'progress',
    item: {
      Update: {
        TableName: tableName(),
        Key: key,
        UpdateExpression: first ? 'SET entity = :e, done = :d, results = :r, #ttl = :ttl' : 'SET done = :d, results = list_append(results, :r)',
        ...(first ? { ExpressionAttributeNames: { '#ttl': 'ttl' } } : {}),
        ExpressionAttributeValues: {
          ':d': done,
          ':r': results,
          ...(first ? { ':e': 'idempotency-progress', ':ttl': Math.floor(now / 1000) + TTL_SECONDS } : {}),
        },
      },
    },
  };
}

export async function readProgress(key: { PK: string; SK: string }): Promise<{ done: number; results: unknown[] } | undefined> {
  const row = (await db().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }))).Item;
  return row ? { done: Number(row.done ?? 0), results: (row.results as unknown[]) ?? [] } : undefined;
}
