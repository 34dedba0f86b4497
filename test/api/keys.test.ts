import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

test('a new key is shown once, works with exactly its scopes, is listed without its secret, and stops at once when revoked', async () => {
  const created = await api.post('/api/keys', { name: 'erp-sync', scopes: ['inventory:read', 'inventory:write'] });
  expect(created.status).toBe(201);
  const { key, id, prefix } = created.body.data;
  expect(created.body.data).toMatchObject({ name: 'erp-sync', scopes: ['inventory:read', 'inventory:write'], warehouse_ids: null, revoked_at: null });
  expect(key).toMatch(new RegExp(`^inv_${api.tenant}_[A-Za-z0-9_-]{32}$`));
  expect(key.startsWith(prefix)).toBe(true);
  expect(created.body.data).not.toHaveProperty('tenant');

  expect((await api.get('/admin/stock-locations', key)).status).toBe(200);
  const wh = await api.post('/admin/stock-locations', { name: 'by erp' }, key);
  expect(wh.status).toBe(200);
  expect((await api.post('/api/keys', { name: 'x', scopes: ['inventory:read'] }, key)).status).toBe(403);

  const list = await api.get('/api/keys');
  const listed = list.body.data.find((k: any) => k.id === id);
  expect(listed).toMatchObject({ id, prefix, name: 'erp-sync', revoked_at: null, last_used_at: expect.any(String) });
  expect(JSON.stringify(list.body)).not.toContain(key);

  const revoked = await api.del(`/api/keys/${id}`);
  expect(revoked.status).toBe(200);
  expect(revoked.body.data.revoked_at).toEqual(expect.any(String));
  const after = await api.get('/admin/stock-locations', key);
  expect(after.status).toBe(401);
  expect(after.body.code).toBe('UNAUTHORIZED');
  // revoking again keeps the first revocation time
  expect((await api.del(`/api/keys/${id}`)).body.data.revoked_at).toBe(revoked.body.data.revoked_at);
});

test('keys of another tenant can be neither listed nor revoked; unknown ids are 404; bad bodies name the field', async () => {
  const other = await api.otherTenant();
  const mine = (await api.post('/api/keys', { name: 'mine', scopes: ['inventory:read'] })).body.data;
  expect((await api.get('/api/keys', other.key)).body.data.map((k: any) => k.id)).not.toContain(mine.id);
  expect((await api.del(`/api/keys/${mine.id}`, other.key)).status).toBe(404);
  expect((await api.get('/admin/stock-locations', mine.key)).status).toBe(200);
  expect((await api.del('/api/keys/key_nope')).status).toBe(404);
  for (const [body, field] of [
    [{ name: 'x', scopes: ['inventory:admin'] }, 'scopes.0'],
    [{ name: 'x', scopes: [] }, 'scopes'],
    [{ scopes: ['inventory:read'] }, 'name'],
  ] as const) {
    const res = await api.post('/api/keys', body);
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: any) => d.field)).toContain(field);
  }
});

test('a key creates only keys no broader than itself: its own scopes, its own warehouses', async () => {
  const manager = await api.keyWith(['keys:manage'], 'manager');
  const res = await api.post('/api/keys', { name: 'escalate', scopes: ['inventory:write'] }, manager);
  expect(res.status).toBe(403);
  expect(res.body.error).toMatchObject({ code: 'FORBIDDEN' });
  expect(res.body.error.message).toMatch(/inventory:write/);
  expect((await api.post('/api/keys', { name: 'same', scopes: ['keys:manage'] }, manager)).status).toBe(201);
  // inventory:write includes reservations:write, as on the routes
  const writer = (await api.post('/api/keys', { name: 'w', scopes: ['inventory:write', 'keys:manage'] })).body.data.key;
  expect((await api.post('/api/keys', { name: 'r', scopes: ['reservations:write'] }, writer)).status).toBe(201);
  expect((await api.post('/api/keys', { name: 'r2', scopes: ['inventory:read'] }, writer)).status).toBe(403);
});

test('a key revokes only keys no broader than itself (guarded in the revoke): scopes, and warehouses for a limited key', async () => {
  const wa = (await api.post('/api/warehouses', { name: 'KA' })).body.data.id;
  const wb = (await api.post('/api/warehouses', { name: 'KB' })).body.data.id;
  const full = (await api.post('/api/keys', { name: 'full', scopes: ['inventory:read', 'inventory:write', 'keys:manage'] })).body.data;
  const limited = (await api.post('/api/keys', { name: 'lim', scopes: ['inventory:read', 'inventory:write', 'keys:manage'], warehouse_ids: [wa] })).body.data;
  const atB = (await api.post('/api/keys', { name: 'atB', scopes: ['inventory:read'], warehouse_ids: [wb] })).body.data;
  const manager = (await api.post('/api/keys', { name: 'mgr', scopes: ['keys:manage'] })).body.data;
  // a limited key against an unrestricted one, and one of another warehouse
  for (const target of [full.id, atB.id]) {
    const res = await api.del(`/api/keys/${target}`, limited.key);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
  }
  // a keys:manage-only key against a key with inventory scopes
  expect((await api.del(`/api/keys/${full.id}`, manager.key)).status).toBe(403);
  const listed = (await api.get('/api/keys')).body.data;
  expect(listed.filter((k: any) => [full.id, atB.id].includes(k.id)).map((k: any) => k.revoked_at)).toEqual([null, null]);
  expect((await api.get('/admin/stock-locations', full.key)).status).toBe(200);
  // no broader than itself: allowed
  const mine = (await api.post('/api/keys', { name: 'mineA', scopes: ['inventory:read'], warehouse_ids: [wa] }, limited.key)).body.data;
  expect((await api.del(`/api/keys/${mine.id}`, limited.key)).status).toBe(200);
  expect((await api.del(`/api/keys/${atB.id}`, full.key)).status).toBe(200);
});
