/** Keys for local use: INVENTORY_BOOTSTRAP_KEYS, or one dev key kept in .local/dev-key. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateKey, keyPrefix, tenantOfKey, TENANT_PATTERN } from '../../functions/core/api-keys.ts';
import { newId } from '../../functions/core/ids.ts';
import { SCOPES } from '../../functions/core/model.ts';
import type { Scope } from '../../functions/core/model.ts';
import { putApiKey } from '../../functions/store/api-keys.ts';

export interface BootstrapKey {
  tenant: string;
  key: string;
  scopes: Scope[];
  name: string;
}

export function parseBootstrapKeys(json: string): BootstrapKey[] {
  let list: unknown;
  try {
    list = JSON.parse(json);
  } catch {
    throw new Error('INVENTORY_BOOTSTRAP_KEYS is not valid JSON (expected [{"tenant","key","scopes","name"}])');
  }
  if (!Array.isArray(list)) throw new Error('INVENTORY_BOOTSTRAP_KEYS must be a JSON array');
  return list.map((k, i) => {
    const where = `INVENTORY_BOOTSTRAP_KEYS[${i}]`;
    if (!k || typeof k !== 'object') throw new Error(`${where} must be an object`);
    const { tenant, key, scopes, name } = k as Record<string, unknown>;
    if (typeof tenant !== 'string' || !TENANT_PATTERN.test(tenant)) throw new Error(`${where}.tenant must match ${TENANT_PATTERN}`);
    if (typeof key !== 'string' || tenantOfKey(key) !== tenant) {
      throw new Error(`${where}.key must look like inv_${tenant}_<at least 16 letters, digits, _ or ->`);
    }
    const list = scopes === undefined ? [...SCOPES] : scopes;
    if (!Array.isArray(list) || !list.every((s) => (SCOPES as readonly string[]).includes(s))) {
      throw new Error(`${where}.scopes must be a list of ${SCOPES.join(', ')}`);
    }
    return { tenant, key, scopes: list as Scope[], name: typeof name === 'string' && name ? name : `bootstrap-${i}` };
  });
}

/** Make sure a key exists (an existing one is left as it is). */
export async function ensureKey(k: BootstrapKey): Promise<boolean> {
  return putApiKey(
    k.key,
    {
      id: newId('key'),
      tenant: k.tenant,
      name: k.name,
      prefix: keyPrefix(k.key),
      scopes: k.scopes,
      warehouse_ids: null,
      created_at: new Date().toISOString(),
      revoked_at: null,
    },
    { onlyIfNew: true },
  );
}

/** The dev key of tenant `default`, with every scope: created once, kept in `file`. */
export async function ensureDevKey(file: string): Promise<{ key: string; created: boolean }> {
  let key = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  let created = false;
  if (!tenantOfKey(key)) {
    key = generateKey('default');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
    created = true;
  }
  await ensureKey({ tenant: 'default', key, scopes: [...SCOPES], name: 'dev' });
  return { key, created };
}
