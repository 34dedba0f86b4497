/**
 * `Idempotency-Key` on every POST/PUT/PATCH/DELETE: a repeat with the same key and body within
 * 24 h gets the first response and changes nothing; the same key with another body is 422
 * IDEMPOTENCY_KEY_REUSED. Keys are per tenant. Only successful responses are kept: a refused
 * request changed nothing, so a retry simply runs again.
 */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DomainError } from '../core/errors.ts';
import type { Actor } from '../core/model.ts';
import type { Route } from '../routes.ts';
import { claim, complete, release } from '../store/idempotency.ts';

type Result = APIGatewayProxyStructuredResultV2 & { statusCode: number };

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

function fingerprint(route: Route, event: APIGatewayProxyEventV2): string {
  const body = event.isBase64Encoded && event.body ? Buffer.from(event.body, 'base64').toString('utf8') : (event.body ?? '');
  let canonical = body;
  try {
    canonical = JSON.stringify(JSON.parse(body));
  } catch {
    /* not JSON: compare as sent */
  }
  return createHash('sha256').update(`${route.method} ${event.rawPath}\n${canonical}`).digest('hex');
}

export async function idempotent(
  route: Route,
  actor: Actor,
  idemKey: string,
  event: APIGatewayProxyEventV2,
  run: () => Promise<Result>,
  renderFailure: (err: unknown) => Result,
): Promise<Result> {
  if (!KEY_PATTERN.test(idemKey)) {
    throw new DomainError('VALIDATION_ERROR', 'Idempotency-Key: must be 1 to 255 printable characters', [{ field: 'Idempotency-Key', message: 'invalid' }]);
  }
  const fp = fingerprint(route, event);
  for (let waited = 0; ; waited++) {
    const c = await claim(actor.tenant, idemKey, fp);
    if (c.kind === 'mismatch') throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with another request');
    if (c.kind === 'replay') return { ...c.response, headers: { ...c.response.headers, 'idempotency-replayed': 'true' } };
    if (c.kind === 'claimed') break;
    // the first request with this key is still running: wait for its answer (a few seconds at most)
    if (waited >= 50) throw new DomainError('CONFLICT', 'A request with this Idempotency-Key is still in progress: retry shortly');
    await new Promise((r) => setTimeout(r, 100));
  }
  let result: Result;
  try {
    result = await run();
  } catch (err) {
    await release(actor.tenant, idemKey);
    return renderFailure(err);
  }
  if (result.statusCode >= 200 && result.statusCode < 300) {
    await complete(actor.tenant, idemKey, { statusCode: result.statusCode, headers: (result.headers ?? {}) as Record<string, string>, body: String(result.body ?? '') });
  } else {
    await release(actor.tenant, idemKey);
  }
  return result;
}
