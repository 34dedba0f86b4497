/** API key management: a secret is shown once, at creation; only its hash is kept. */
import { generateKey, keyPrefix } from './api-keys.ts';
import { DomainError, notFound } from './errors.ts';
import { mayWrite, restricted } from './access.ts';
import { newId } from './ids.ts';
import { SCOPES } from './model.ts';
import type { Actor, Scope } from './model.ts';
import type * as z from 'zod';
import type { keyCreateBody } from './schemas.ts';
import { apiKeyById, listApiKeys, putApiKey, revokeApiKey, RevokeDenied } from '../store/api-keys.ts';
import type { ApiKeyRecord, RevokeGuard } from '../store/api-keys.ts';

/** A new key: the route's body as its schema parses it (the CLI and local bootstrap pass the same). */
export type NewKey = z.output<typeof keyCreateBody>;

export async function createKey(tenant: string, input: NewKey): Promise<ApiKeyRecord & { key: string }> {
  const key = generateKey(tenant);
  const rec: ApiKeyRecord = {
    id: newId('key'),
    tenant,
    name: input.name,
    prefix: keyPrefix(key),
    scopes: [...new Set(input.scopes)],
    warehouse_ids: input.warehouse_ids?.length ? [...new Set(input.warehouse_ids)] : null,
    created_at: new Date().toISOString(),
    last_used_at: null,
    revoked_at: null,
  };
  await putApiKey(key, rec);
  return { ...rec, key };
}

export const listKeys = (tenant: string) => listApiKeys(tenant);

/** What a replay of POST /api/keys (same Idempotency-Key) answers: the secret is shown once, never again. */
export const SECRET_SHOWN_ONCE =
  'This request was applied once (Idempotency-Key). The secret of a key is shown once, in the first answer, and is not kept: `key` is null here. If that answer was lost, revoke this key and create another.';

/** A replay of a key creation: the key's metadata, `key: null`, and the note (keys are revoked, never deleted). */
export async function createdKeyReplay(actor: Actor, keyId: string | undefined) {
  const rec = keyId ? await apiKeyById(actor.tenant, keyId) : undefined;
  if (!rec) throw notFound('API key', keyId ?? 'created by this request');
  const { tenant: _tenant, ...data } = rec;
  return { data: { ...data, key: null }, message: SECRET_SHOWN_ONCE };
}

export async function revokeKey(tenant: string, keyId: string, guard?: RevokeGuard): Promise<ApiKeyRecord> {
  let rec: ApiKeyRecord | undefined;
  try {
    rec = await revokeApiKey(tenant, keyId, new Date().toISOString(), guard);
  } catch (err) {
    if (!(err instanceof RevokeDenied)) throw err;
    throw new DomainError(
      'FORBIDDEN',
      `API key ${keyId} is broader than this key (scopes or warehouses): only a key holding all its scopes and warehouses may revoke it`,
    );
  }
  if (!rec) throw notFound('API key', keyId);
  return rec;
}

/** A scope the actor holds itself (`inventory:write` includes `reservations:write`, as on the routes). */
const holds = (actor: Actor, scope: Scope) => actor.scopes.includes(scope) || (scope === 'reservations:write' && actor.scopes.includes('inventory:write'));

/**
 * The HTTP face of the above, for the caller's own tenant. A key only makes keys no broader than
 * itself: scopes it holds, and, when it is limited to warehouses, limited to (some of) its own.
 */
export function createKeyFor(actor: Actor, input: NewKey) {
  const beyond = input.scopes.filter((s) => !holds(actor, s));
  if (beyond.length) {
    throw new DomainError('FORBIDDEN', `This API key may only create keys with scopes it holds itself; it lacks ${beyond.join(', ')}`, [
      { field: 'scopes', message: `not held by this key: ${beyond.join(', ')}` },
    ]);
  }
  if (restricted(actor)) {
    const asked = input.warehouse_ids ?? [];
    if (!asked.length)
      throw new DomainError('FORBIDDEN_WAREHOUSE', 'This API key is limited to some warehouses: the keys it creates must be limited to them too');
    mayWrite(actor, ...asked);
  }
  return createKey(actor.tenant, input);
}

/** Revoke, for the caller's tenant: only a key no broader than the caller (the guard is in the revoke's condition). */
export function revokeKeyFor(actor: Actor, keyId: string) {
  return revokeKey(actor.tenant, keyId, {
    deniedScopes: SCOPES.filter((s) => !holds(actor, s)),
    ...(restricted(actor) ? { withinWarehouses: actor.warehouseIds } : {}),
  });
}
