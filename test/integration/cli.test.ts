/** The key CLI as an operator runs it, against the test run's DynamoDB; the keys it makes work over HTTP. */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { newTenant, startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const cli = (...args: string[]) => {
  const res = spawnSync(process.execPath, [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'bin/cli.ts', ...args, '--endpoint', process.env.DYNAMODB_ENDPOINT!, '--table', process.env.TABLE_NAME!], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { code: res.status, out: res.stdout, err: res.stderr };
};

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());


test('keys create prints the secret once; it works over HTTP with its scopes; list shows no secret; revoke stops it', async () => {
  const tenant = newTenant();
  const created = cli('keys', 'create', '--tenant', tenant, '--name', 'bootstrap', '--scopes', 'inventory:read,keys:manage', '--json');
  expect(created.code).toBe(0);
  const key = JSON.parse(created.out);
  expect(key.key).toMatch(new RegExp(`^inv_${tenant}_`));
  expect((await api.get('/api/keys', key.key)).status).toBe(200);
  expect((await api.post('/admin/stock-locations', { name: 'x' }, key.key)).status).toBe(403);

  const listed = cli('keys', 'list', '--tenant', tenant);
  expect(listed.code).toBe(0);
  expect(listed.out).toContain(key.id);
  expect(listed.out).not.toContain(key.key);

  const revoked = cli('keys', 'revoke', '--tenant', tenant, '--id', key.id);
  expect(revoked.code).toBe(0);
  expect(revoked.out).toContain('Revoked');
  expect((await api.get('/api/keys', key.key)).status).toBe(401);
}, 60_000);

test('bad input says what is wrong and exits 2; --help explains the commands', () => {
  const help = cli('--help');
  expect(help.code).toBe(0);
  expect(help.out).toContain('keys create');
  const badScope = cli('keys', 'create', '--tenant', 'acme', '--name', 'n', '--scopes', 'inventory:everything');
  expect(badScope.code).toBe(2);
  expect(badScope.err).toContain('--scopes');
  expect(cli('keys', 'revoke', '--tenant', 'acme', '--id', 'key_nope').err).toContain('key_nope');
  expect(cli('keys', 'create', '--tenant', 'Bad Tenant', '--name', 'n', '--scopes', 'inventory:read').code).toBe(2);
}, 60_000);
