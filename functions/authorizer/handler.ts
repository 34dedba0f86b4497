/**
 * The API-key authorizer (HTTP API Lambda authorizer, simple responses). It resolves the key to
 * its tenant, scopes and name, and passes them on in the context. It always lets the request
 * through: an unknown key arrives at the handler with no tenant, and the handler answers 401 in
 * its family's error shape (API Gateway's own deny would be a bare 403). The per-route scope
 * check is the handler's, driven by the route table, because the authorizer's answer is cached
 * per key, not per route.
 *
 * Results are cached in the function for AUTHORIZER_CACHE_TTL seconds (default 0: none; the stack
 * sets it from the `authorizerCacheTtl` context, 60 s by default), keyed by the key's hash: a revoked
 * key stops working within that TTL when deployed. API Gateway's own cache is not used because a key
 * may come in either of two headers, and an HTTP API refuses a request lacking a listed identity
 * source before the authorizer runs.
 */
import { tenantOfKey } from '#core/api-keys.ts';
import { createHash } from 'node:crypto';
import { findApiKey, touchApiKey } from '#store/api-keys.ts';
import { count, instrumented, logger } from '#edge/observability.ts';

export interface AuthorizerEvent {
  headers?: Record<string, string | undefined>;
  /** API Gateway's request id: the authorizer's log lines carry it as the route's do (`request_id`). */
  requestContext?: { requestId?: string };
}

export interface AuthorizerResult {
  isAuthorized: boolean;
  context: Record<string, string>;
}

/**
 * The key from `Authorization: Bearer <key>`, `Authorization: Basic base64(<key>:)` (HTTP Basic with
 * the key as the user name and no password: what Medusa's JS SDK sends for `new Medusa({ apiKey })`,
 * Medusa v2's secret API keys) or `x-api-key: <key>`. The same key, whichever way it comes, with the
 * same scopes. Basic with a password is no key (401): a key has no password, and one sent with it is
 * more likely some other credential.
 */
export function keyFromHeaders(headers: Record<string, string | undefined> = {}): string | undefined {
  const h = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const auth = h.authorization?.trim();
  if (auth && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim() || undefined;
  if (auth && /^basic\s+/i.test(auth)) return basicUser(auth.replace(/^basic\s+/i, '').trim());
  return h['x-api-key']?.trim() || undefined;
}

function basicUser(encoded: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  return password === '' && user.trim() ? user.trim() : undefined;
}

const ANONYMOUS: AuthorizerResult = { isAuthorized: true, context: { tenant: '' } };

const cache = new Map<string, { result: AuthorizerResult; until: number }>();
const MAX_CACHED = 10_000;

export const handler = instrumented('Authorizer', async (event: AuthorizerEvent): Promise<AuthorizerResult> => {
  if (event.requestContext?.requestId) logger.appendKeys({ request_id: event.requestContext.requestId });
  const result = await check(event);
  count(result.context.tenant ? 'KeysAccepted' : 'KeysRefused');
  return result;
});

async function check(event: AuthorizerEvent): Promise<AuthorizerResult> {
  const secret = keyFromHeaders(event.headers);
  if (!secret) return ANONYMOUS;
  const ttl = Number(process.env.AUTHORIZER_CACHE_TTL ?? 0) * 1000;
  if (!(ttl > 0)) return authorize(secret);
  const id = createHash('sha256').update(secret).digest('base64url');
  const now = Date.now();
  const hit = cache.get(id);
  if (hit && hit.until > now) return hit.result;
  const result = await authorize(secret);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(id, { result, until: now + ttl });
  return result;
}

async function authorize(secret: string): Promise<AuthorizerResult> {
  const tenant = tenantOfKey(secret);
  if (!tenant) return ANONYMOUS;
  const rec = await findApiKey(tenant, secret);
  if (!rec || rec.revoked_at) return ANONYMOUS;
  // last_used_at is kept to the hour: a write only when the stored one is older than that
  const now = new Date();
  if (!rec.last_used_at || now.getTime() - Date.parse(rec.last_used_at) > 3_600_000) await touchApiKey(tenant, secret, now);
  return {
    isAuthorized: true,
    context: {
      tenant: rec.tenant,
      key_id: rec.id,
      key_name: rec.name,
      scopes: rec.scopes.join(' '),
      warehouse_ids: (rec.warehouse_ids ?? []).join(' '),
    },
  };
}
