/** API key management: a secret is shown once, at creation; only its hash is kept. */
import { generateKey, keyPrefix } from './api-keys.ts';
import { DomainError, notFound } from './errors.ts';
import { mayWrite, restricted } from './access.ts';
import { newId } from './ids.ts';
import type { Actor, Scope } from './model.ts';
import { listApiKeys, putApiKey, revokeApiKey } from '../store/api-keys.ts';
import type { ApiKeyRecord } from '../store/api-keys.ts';

export interface NewKey {
  name: string;
  scopes: Scope[];
  warehouse_ids?: string[] | null;
}

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

export async function revokeKey(tenant: string, keyId: string): Promise<ApiKeyRecord> {
  const rec = await revokeApiKey(tenant, keyId, new Date().toISOString());
  if (!rec) throw notFound('API key', keyId);
  return rec;
}

/** The HTTP face of the above, for the caller's own tenant. A warehouse-limited key only makes keys limited to its own warehouses. */
export function createKeyFor(actor: Actor, input: NewKey) {
  if (restricted(actor)) {
    const asked = input.warehouse_ids ?? [];
    if (!asked.length) throw new DomainError('FORBIDDEN_WAREHOUSE', 'This API key is limited to some warehouses: the keys it creates must be limited to them too');
    mayWrite(actor, ...asked);
  }
  return createKey(actor.tenant, input);
}
