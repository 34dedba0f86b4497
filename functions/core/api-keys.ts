/**
 * API key format: `inv_<tenant>_<secret>`. The tenant travels in the key so the lookup key
 * (`T#<tenant>#KEY#<sha256>`) starts with the tenant like every other key of the table.
 */
import { randomBytes } from 'node:crypto';

export const TENANT_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
const KEY_PATTERN = /^inv_([a-z0-9][a-z0-9-]{0,62})_([A-Za-z0-9_-]{16,128})$/;

export function tenantOfKey(secret: string): string | undefined {
  return KEY_PATTERN.exec(secret)?.[1];
}

export function generateKey(tenant: string): string {
  return `inv_${tenant}_${randomBytes(24).toString('base64url')}`;
}

/** What a listing may show of a key: enough to recognise it, never enough to use it. */
export function keyPrefix(secret: string): string {
  const tenant = tenantOfKey(secret);
  return tenant ? secret.slice(0, `inv_${tenant}_`.length + 4) : secret.slice(0, 4);
}
