/**
 * `Idempotency-Key` on every POST/PUT/PATCH/DELETE: each key of each API key takes effect at most
 * once. The request claims the key (store/idempotency.ts), then runs its handler with the claim
 * pending (store/db.ts `runWithClaim`): the first transaction that changes anything also flips the
 * record to `committed`, under the claim's token, so "the effect happened" and "the key is used"
 * are one commit. Afterwards the response is stored when it fits (never one holding a secret: a new
 * API key's); a retry replays it, or, when it was not stored (too large, secret, an error or a crash
 * after the commit), answers from the resource's
 * current state with the original status (the route's `replay`). A used key never runs again.
 * Before the commit, any failure gives the key back (`released`, fingerprint kept): a retry with
 * the same body runs afresh, another body is 422 IDEMPOTENCY_KEY_REUSED.
 */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DomainError } from '../core/errors.ts';
import type { Actor } from '../core/model.ts';
import type { Route } from '../routes.ts';
import { runWithClaim } from '../store/db.ts';
import { claim, complete, readRecord, release } from '../store/idempotency.ts';
import type { PendingClaim } from '../store/db.ts';
import { logger } from './observability.ts';

type Result = APIGatewayProxyStructuredResultV2 & { statusCode: number };

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** How long a request waits for an identical one in flight before answering 409 (then retry). */
const WAIT_MS = 5_000;

/** JSON with object keys sorted at every depth: the same document however its keys were ordered. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function fingerprint(route: Route, event: APIGatewayProxyEventV2): string {
  const body = event.isBase64Encoded && event.body ? Buffer.from(event.body, 'base64').toString('utf8') : (event.body ?? '');
  let canonical = body;
  try {
    canonical = canonicalJson(JSON.parse(body));
  } catch {
    /* not JSON: compare as sent */
  }
  return createHash('sha256').update(`${route.method} ${event.rawPath}\n${canonical}`).digest('hex');
}

const replayed = (r: Result): Result => ({ ...r, headers: { ...r.headers, 'idempotency-replayed': 'true' } });

export async function idempotent(
  route: Route,
  actor: Actor,
  idemKey: string,
  event: APIGatewayProxyEventV2,
  run: () => Promise<Result>,
  renderFailure: (err: unknown) => Result,
  /** Answer a used key whose response was not stored: the resource's current state, with `status`. */
  replay: (status: number, ref: string | undefined) => Promise<Result>,
  /** keep: false for an answer that must not be at rest (see HandlerOptions.keepResponse). */
  opts: { keep?: boolean } = {},
): Promise<Result> {
  if (!KEY_PATTERN.test(idemKey)) {
    throw new DomainError('VALIDATION_ERROR', 'Idempotency-Key: must be 1 to 255 printable characters', [{ field: 'Idempotency-Key', message: 'invalid' }]);
  }
  const fp = fingerprint(route, event);
  const scope = { tenant: actor.tenant, keyId: actor.keyId };
  const status = route.status ?? 200;
  const started = Date.now();
  let c;
  for (;;) {
    const got = await claim(scope, idemKey, fp, status);
    if (got.kind === 'mismatch') throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with another request');
    if (got.kind === 'replay') return replayed(got.response);
    if (got.kind === 'committed') return replayed(await replay(got.status, got.ref));
    if (got.kind === 'claimed') {
      c = got.claim;
      break;
    }
    // the first request with this key is still running: wait for its answer (a few seconds at most)
    if (Date.now() - started >= WAIT_MS) throw new DomainError('CONFLICT', 'A request with this Idempotency-Key is still in progress: retry shortly');
    await new Promise((r) => setTimeout(r, 100));
  }
  let result: Result;
  try {
    result = await runWithClaim(c, run);
  } catch (err) {
    // committed and then failed (e.g. the read that builds the response): the effect stays, once;
    // not committed as far as we know: give the key back, unless the record says our commit landed
    const committed =
      c.committed ||
      (await release(c)
        .then((released) => !released && ownCommit(c))
        .catch(() => false));
    if (!committed) return renderFailure(err);
    try {
      return await replay(c.status, c.ref);
    } catch {
      return renderFailure(err);
    }
  }
  const is2xx = result.statusCode >= 200 && result.statusCode < 300;
  try {
    if (is2xx || c.committed) {
      await complete(
        c,
        { statusCode: result.statusCode, headers: (result.headers ?? {}) as Record<string, string>, body: String(result.body ?? '') },
        { keep: opts.keep },
      );
    } else {
      await release(c);
    }
  } catch (err) {
    // the answer stands: a committed key stays committed (a retry answers from the current state);
    // an uncommitted one stays claimed until its lock ends
    logger.warn('idempotency record not updated after the request', err as Error);
  }
  return result;
}

/** Whether the record says this claim's transaction committed (its answer was lost on the way back). */
async function ownCommit(c: PendingClaim): Promise<boolean> {
  const rec = await readRecord(c);
  return !!rec && rec.token === c.token && (rec.state === 'committed' || rec.state === 'completed');
}
