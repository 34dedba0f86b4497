/**
 * The API-key authorizer (HTTP API Lambda authorizer, simple responses). It resolves the key to
 * its tenant, scopes and name, and passes them on in the context. It always lets the request
 * through: an unknown key arrives at the handler with no tenant, and the handler answers 401 in
 * its family's error shape (API Gateway's own deny would be a bare 403). The per-route scope
 * check is the handler's, driven by the route table, because the authorizer's answer is cached
 * per key, not per route.
 */
import { tenantOfKey } from '../core/api-keys.ts';
import { findApiKey, touchApiKey } from '../store/api-keys.ts';

export interface AuthorizerEvent {
  headers?: Record<string, string | undefined>;
}

export interface AuthorizerResult {
  isAuthorized: boolean;
  context: Record<string, string>;
}

export function keyFromHeaders(headers: Record<string, string | undefined> = {}): string | undefined {
  const h = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const auth = h.authorization?.trim();
  if (auth && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim();
  return h['x-api-key']?.trim() || undefined;
}

const ANONYMOUS: AuthorizerResult = { isAuthorized: true, context: { tenant: '' } };

export const handler = async (event: AuthorizerEvent): Promise<AuthorizerResult> => {
  const secret = keyFromHeaders(event.headers);
  if (!secret) return ANONYMOUS;
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
};
