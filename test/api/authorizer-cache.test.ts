/** The authorizer's in-function cache: off by default (revocation at once), bounded by its TTL when on. */
import { jest } from '@jest/globals';
import { handler } from '../../functions/authorizer/handler.ts';
import { revokeApiKey } from '../../functions/store/api-keys.ts';
import { makeKey, newTenant } from '../support/api.ts';
import { findApiKey } from '../../functions/store/api-keys.ts';

const authorize = (key: string) => handler({ headers: { authorization: `Bearer ${key}` } });

afterEach(() => {
  delete process.env.AUTHORIZER_CACHE_TTL;
  jest.restoreAllMocks();
});

async function revoke(tenant: string, key: string) {
  const rec = await findApiKey(tenant, key);
  await revokeApiKey(tenant, rec!.id, new Date().toISOString());
}

test('without a TTL, a revoked key is refused on the very next call', async () => {
  const tenant = newTenant();
  const key = await makeKey(tenant);
  expect((await authorize(key)).context.tenant).toBe(tenant);
  await revoke(tenant, key);
  expect((await authorize(key)).context.tenant).toBe('');
});

test('with a TTL, the answer is reused until the TTL has passed, then the revocation shows', async () => {
  process.env.AUTHORIZER_CACHE_TTL = '60';
  const tenant = newTenant();
  const key = await makeKey(tenant);
  const t0 = Date.now();
  const now = jest.spyOn(Date, 'now').mockReturnValue(t0);
  expect((await authorize(key)).context.tenant).toBe(tenant);
  await revoke(tenant, key);
  now.mockReturnValue(t0 + 59_000);
  expect((await authorize(key)).context.tenant).toBe(tenant); // cached
  now.mockReturnValue(t0 + 61_000);
  expect((await authorize(key)).context.tenant).toBe(''); // looked up again: revoked
});

test('the cache is per key: another key of the same tenant is looked up on its own', async () => {
  process.env.AUTHORIZER_CACHE_TTL = '60';
  const tenant = newTenant();
  const a = await makeKey(tenant, ['inventory:read']);
  const b = await makeKey(tenant, ['keys:manage']);
  expect((await authorize(a)).context.scopes).toBe('inventory:read');
  expect((await authorize(b)).context.scopes).toBe('keys:manage');
  expect((await authorize('inv_' + tenant + '_unknown')).context.tenant).toBe('');
});
