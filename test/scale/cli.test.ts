/** The key CLI as an operator runs it, against the test run's DynamoDB; the keys it makes work over HTTP. */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { newTenant, startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const cli = (...args: string[]) => {
  const res = spawnSync(
    process.execPath,
    [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'bin/cli.ts', ...args, '--endpoint', process.env.DYNAMODB_ENDPOINT!, '--table', process.env.TABLE_NAME!],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
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

/** The CLI in its own process (async: the API it calls runs in this one). */
function cliAsync(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'bin/cli.ts', ...args], { cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => done({ code, out, err }));
  });
}

test('upload: the sample file goes through the API with progress; the stock changes; failed rows land next to the input', async () => {
  await api.post('/api/warehouses', { id: 'wh_sample', name: 'Sample warehouse' });
  await api.post('/api/warehouses', { id: 'wh_store', name: 'Sample store' });
  for (const sku of ['SAMPLE-1', 'SAMPLE-2', 'SAMPLE-3']) await api.post('/admin/inventory-items', { sku, title: sku });
  const dir = mkdtempSync(join(tmpdir(), 'inventory-cli-'));
  const file = join(dir, 'stock-count.csv');
  copyFileSync(resolve(ROOT, 'test/fixtures/stock-count.csv'), file);
  // --dry-run first: what would change, written next to the input; nothing is written to the stock
  const dry = await cliAsync('upload', file, '--dry-run', '--url', api.url, '--key', api.key);
  expect(dry.out).toContain('3 would apply, 1 unchanged, 1 would fail (dry run: nothing was written)');
  expect(dry.out).toContain('line 2: SAMPLE-1 at wh_sample: stocked 0 → 120 (out_of_stock → normal)');
  expect(dry.code).toBe(3);
  const changes = readFileSync(join(dir, 'stock-count.changes.csv'), 'utf8').trim().split('\r\n');
  expect(changes).toHaveLength(4);
  expect(changes[1]).toBe('2,SAMPLE-1,wh_sample,0,120,0,120,out_of_stock,normal,true');
  expect((await api.get('/api/inventory/SAMPLE-1')).body.data.warehouses).toEqual([]);

  const res = await cliAsync('upload', file, '--url', api.url, '--key', api.key);
  expect(res.err).toMatch(/\[#+\] 5\/5 rows\s+100%/);
  expect(res.out).toContain('completed');
  expect(res.out).toContain('3 applied, 1 unchanged, 1 failed'); // SAMPLE-3 to 0 on a new (empty) level changes nothing
  expect(res.out).toContain('line 6: INVENTORY_NOT_FOUND');
  expect(res.code).toBe(3);
  const sku1 = (await api.get('/api/inventory/SAMPLE-1')).body.data;
  expect(Object.fromEntries(sku1.warehouses.map((w: any) => [w.warehouse_id, w.on_hand]))).toEqual({ wh_sample: 120, wh_store: 12 });
  const failed = readFileSync(join(dir, 'stock-count.errors.csv'), 'utf8').trim().split('\n');
  expect(failed[0]).toBe('line,sku,warehouse_id,quantity,reason,note,error_code,error_message');
  expect(failed).toHaveLength(2);
  expect(failed[1]).toMatch(/^6,SAMPLE-9,wh_sample,5,cycle_count,this SKU does not exist: reported with its line,INVENTORY_NOT_FOUND,/);

  // --status follows an existing upload; bad invocations are usage errors
  const id = JSON.parse((await cliAsync('upload', file, '--url', api.url, '--key', api.key, '--mode', 'adjust', '--json')).out).id;
  const status = await cliAsync('upload', '--status', id, '--url', api.url, '--key', api.key);
  expect(status.out).toContain(`Upload ${id}: completed`);
  expect((await cliAsync('upload', join(dir, 'missing.csv'), '--url', api.url, '--key', api.key)).code).toBe(2);
  expect((await cliAsync('upload', file, '--mode', 'replace', '--url', api.url, '--key', api.key)).code).toBe(2);
}, 120_000);

test('inbound: create, receive in parts, availability by date, cancel; usage errors exit 2', async () => {
  const wh = (await api.post('/api/warehouses', { name: 'CLI-IN' })).body.data.id;
  const sku = `CLI-IN-${Date.now()}`;
  await api.post('/admin/inventory-items', { sku, title: sku });
  await api.request('PUT', `/api/inventory/${sku}`, { warehouse_id: wh, quantity: 2 });
  const at = ['--url', api.url, '--key', api.key];
  const created = await cliAsync(
    'inbound',
    'create',
    '--warehouse',
    wh,
    '--reference',
    'PO-CLI',
    '--line',
    `${sku}:10:2026-12-20`,
    '--line',
    `${sku}:5:2027-01-15`,
    '--json',
    ...at,
  );
  expect(created.code).toBe(0);
  const id = JSON.parse(created.out).id;
  const received = await cliAsync('inbound', 'receive', id, '--line', '1', '--quantity', '4', ...at);
  expect(received.out).toContain(`line 1: ${sku} 4/10 received, 6 expected 2026-12-20 (open)`);
  const atp = await cliAsync('inbound', 'atp', sku, '--date', '2026-12-20', '--quantity', '12', ...at);
  expect(atp.out).toContain('12 can be promised by 2026-12-20');
  expect(atp.out).toContain('PO-CLI line 1: 6 expected');
  expect(atp.code).toBe(0);
  expect((await cliAsync('inbound', 'atp', sku, '--date', '2026-12-19', '--quantity', '12', ...at)).code).toBe(3);
  const cancelled = await cliAsync('inbound', 'cancel', id, '--line', '2', ...at);
  expect(cancelled.out).toContain('(cancelled)');
  const over = await cliAsync('inbound', 'receive', id, '--line', '1', '--quantity', '7', ...at);
  expect(over.code).toBe(1);
  expect(over.err).toContain('INVALID_QUANTITY');
  expect((await cliAsync('inbound', 'create', '--warehouse', wh, '--reference', 'X', '--line', 'bad', ...at)).code).toBe(2);
  expect((await cliAsync('inbound', 'receive', id, '--line', '1', ...at)).code).toBe(2);
  expect((await api.get(`/api/inventory/${sku}`)).body.data.warehouses[0]).toMatchObject({ on_hand: 6, incoming: 6 });

  // a hold that promises future stock, the list, a new expected date
  const due = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const later = await cliAsync('inbound', 'create', '--warehouse', wh, '--reference', 'PO-CLI-2', '--line', `${sku}:8:${due}`, '--json', ...at);
  const id2 = JSON.parse(later.out).id;
  const held = await cliAsync('hold', sku, '--quantity', '9', '--reference', 'order-cli', '--allow-future', '--due', due, ...at);
  expect(held.code).toBe(0);
  expect(held.out).toContain(`6 on hand at ${wh}`);
  expect(held.out).toContain('3 promised from PO-CLI line 1'); // the earliest line first
  expect((await cliAsync('hold', sku, '--quantity', '99', '--allow-future', '--due', due, ...at)).code).toBe(3);
  expect((await cliAsync('hold', sku, '--quantity', '1', '--allow-future', ...at)).code).toBe(2);
  const listed = await cliAsync('inbound', 'list', '--sku', sku, '--status', 'open', ...at);
  expect(listed.out.indexOf(`Inbound ${id2}`)).toBeLessThan(listed.out.indexOf(`Inbound ${id}:`)); // newest first
  expect(listed.out).toContain('(3 promised to future holds)');
  const moved = await cliAsync('inbound', 'expect', id2, '--line', '1', '--date', due, ...at);
  expect(moved.code).toBe(0);
}, 120_000);

test('reconcile: no drift exits 0; a drift made on purpose exits 3, --repair fixes it', async () => {
  const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
  const { db, tableName } = await import('../../functions/store/db.ts');
  const { keys } = await import('../../functions/store/keys.ts');
  const wh = (await api.post('/api/warehouses', { name: 'CLI' })).body.data.id;
  const iid = (await api.post('/admin/inventory-items', { sku: `CLI-RC-${Date.now()}` })).body.inventory_item.id;
  await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wh, stocked_quantity: 5 });
  expect(cli('reconcile', '--tenant', api.tenant)).toMatchObject({ code: 0, out: expect.stringContaining('no drift') });
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.level(api.tenant, iid, wh),
      UpdateExpression: 'SET reserved_quantity = :r',
      ExpressionAttributeValues: { ':r': 2 },
    }),
  );
  const found = cli('reconcile', '--tenant', api.tenant);
  expect(found.code).toBe(3);
  expect(found.out).toContain('reserved recorded 2, expected 0');
  expect(cli('reconcile', '--tenant', api.tenant, '--repair').code).toBe(0);
  expect(cli('reconcile', '--tenant', api.tenant)).toMatchObject({ code: 0, out: expect.stringContaining('no drift') });
});
