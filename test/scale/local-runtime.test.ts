/**
 * `npm start` as a user runs it: a child process of bin/local.ts with its own DynamoDB Local,
 * keys, and the route table on a port. Ports are picked free so runs never collide.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../lib/local/dynamodb-local.ts';
import { javaWith } from '../support/processes.ts';

const ROOT = resolve(import.meta.dirname, '../..');

interface Running {
  child: ChildProcess;
  port: number;
  output: () => string;
  stop: () => Promise<void>;
}

/** Markers of the DynamoDB Locals this file's instances started (their -port): none may be left at the end. */
const started = new Set<string>();
afterAll(async () => {
  const deadline = Date.now() + 15_000;
  let left: number[] = [];
  do {
    left = [...started].flatMap((m) => javaWith(m));
    if (left.length) await new Promise((r) => setTimeout(r, 200));
  } while (left.length && Date.now() < deadline);
  for (const pid of left) process.kill(pid, 'SIGKILL');
  expect(left).toEqual([]);
});

async function start(env: Record<string, string>): Promise<Running> {
  const port = await freePort();
  if (env.DYNAMODB_PORT) started.add(`-port ${env.DYNAMODB_PORT}`);
  // the test run's own DynamoDB and table are not the child's, unless the test passes them
  const { DYNAMODB_ENDPOINT: _e, TABLE_NAME: _t, ...inherited } = process.env;
  // node itself with tsx's loader (not the tsx CLI, whose SIGKILL would orphan the node running the
  // service, and with it DynamoDB Local): what the test signals is the process that owns java
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
    cwd: ROOT,
    env: { ...inherited, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 45_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bin/local.ts exited ${child.exitCode}:\n${out}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.status === 200) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`bin/local.ts not ready within 45 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    port,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const call = async (port: number, method: string, path: string, key?: string, body?: unknown) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'inventory-local-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('with nothing set, it creates a dev key once, prints it, keeps it in .local/dev-key, and keeps data between runs', async () => {
  const env = { INVENTORY_LOCAL_DIR: dir, DYNAMODB_PORT: String(await freePort()) };
  const first = await start(env);
  let key: string;
  try {
    key = readFileSync(join(dir, 'dev-key'), 'utf8').trim();
    expect(key).toMatch(/^inv_default_/);
    expect(first.output()).toContain(key);
    const created = await call(first.port, 'POST', '/admin/stock-locations', key, { name: 'Kept' });
    expect(created.status).toBe(200);
  } finally {
    await first.stop();
  }
  const second = await start(env);
  try {
    expect(readFileSync(join(dir, 'dev-key'), 'utf8').trim()).toBe(key);
    const list = await call(second.port, 'GET', '/admin/stock-locations', key);
    expect(list.status).toBe(200);
    expect(list.body.stock_locations.map((l: { name: string }) => l.name)).toEqual(['Kept']);
  } finally {
    await second.stop();
  }
});

test('two instances with their own PORT and DYNAMODB_PORT run side by side, and bootstrap keys work', async () => {
  const keyA = 'inv_shop-a_aaaaaaaaaaaaaaaaaaaa';
  const keyB = 'inv_shop-b_bbbbbbbbbbbbbbbbbbbb';
  const a = await start({
    INVENTORY_IN_MEMORY: '1',
    INVENTORY_LOCAL_DIR: dir,
    DYNAMODB_PORT: String(await freePort()),
    INVENTORY_BOOTSTRAP_KEYS: JSON.stringify([{ tenant: 'shop-a', key: keyA, scopes: ['inventory:read'], name: 'reader' }]),
  });
  const b = await start({
    INVENTORY_IN_MEMORY: '1',
    INVENTORY_LOCAL_DIR: dir,
    DYNAMODB_PORT: String(await freePort()),
    INVENTORY_BOOTSTRAP_KEYS: JSON.stringify([{ tenant: 'shop-b', key: keyB, scopes: ['inventory:read', 'inventory:write'], name: 'writer' }]),
  });
  try {
    expect((await call(a.port, 'GET', '/admin/stock-locations', keyA)).status).toBe(200);
    // read-only key: the route's scope is checked
    const denied = await call(a.port, 'POST', '/admin/stock-locations', keyA, { name: 'X' });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('FORBIDDEN');
    // each instance has its own database: B's key is unknown to A
    expect((await call(a.port, 'GET', '/admin/stock-locations', keyB)).status).toBe(401);
    expect((await call(b.port, 'POST', '/admin/stock-locations', keyB, { name: 'B1' })).status).toBe(200);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('DYNAMODB_ENDPOINT uses an already running DynamoDB instead of starting one', async () => {
  const run = await start({
    INVENTORY_LOCAL_DIR: dir,
    DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT!,
    TABLE_NAME: `local-runtime-${Date.now()}`,
  });
  try {
    expect(run.output()).toMatch(new RegExp(`^ {2}DynamoDB {8}${process.env.DYNAMODB_ENDPOINT!.replace(/[.]/g, '\\.')} \\(already running`, 'm'));
    expect(run.output()).toContain('(created)');
  } finally {
    await run.stop();
  }
});

test('a malformed INVENTORY_BOOTSTRAP_KEYS stops the start with a message naming the problem', async () => {
  await expect(
    start({
      INVENTORY_IN_MEMORY: '1',
      INVENTORY_LOCAL_DIR: dir,
      DYNAMODB_PORT: String(await freePort()),
      INVENTORY_BOOTSTRAP_KEYS: '[{"tenant":"a","key":"nope"}]',
    }),
  ).rejects.toThrow(/INVENTORY_BOOTSTRAP_KEYS\[0\]\.key/);
});

test('without java on the PATH, npm start says what to install and exits', async () => {
  const { DYNAMODB_ENDPOINT: _e, TABLE_NAME: _t, ...inherited } = process.env;
  const child = spawn(process.execPath, [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'bin/local.ts'], {
    cwd: ROOT,
    env: { ...inherited, PATH: '/nonexistent', INVENTORY_LOCAL_DIR: dir, PORT: String(await freePort()) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const code = await new Promise((r) => child.once('exit', r));
  expect(code).toBe(1);
  expect(out).toMatch(/Java was not found.*Java runtime 17 or newer/s);
});

test('with npm start, stock set below the reorder level shows in low stock and in the event file within two seconds', async () => {
  const key = 'inv_shop-s_ssssssssssssssssssss';
  const run = await start({
    INVENTORY_IN_MEMORY: '1',
    INVENTORY_LOCAL_DIR: dir,
    DYNAMODB_PORT: String(await freePort()),
    INVENTORY_BOOTSTRAP_KEYS: JSON.stringify([{ tenant: 'shop-s', key, name: 'all' }]),
  });
  try {
    await call(run.port, 'POST', '/api/warehouses', key, { id: 'wh_s', name: 'S' });
    await call(run.port, 'POST', '/v1/inventory', key, { productId: 'p-s', warehouseId: 'wh_s', initialQty: 50, reorderLevel: 10, reorderQty: 30 });
    await call(run.port, 'PUT', '/api/inventory/p-s', key, { warehouse_id: 'wh_s', quantity: 4 });
    const t0 = Date.now();
    let low: any[] = [];
    // the local stream poller reads every second; a loaded machine (CI runs the 100k upload alongside) can take longer
    while (Date.now() - t0 < 15_000 && !low.length) {
      low = (await call(run.port, 'GET', '/v1/inventory/low-stock', key)).body.data;
      if (!low.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(low.map((r) => [r.productId, r.availableQty])).toEqual([['p-s', 4]]);
    const events = readFileSync(join(dir, 'events.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events).toEqual([
      expect.objectContaining({
        type: 'inventory.level.status_changed',
        detail: expect.objectContaining({ sku: 'p-s', warehouse_id: 'wh_s', from: 'normal', to: 'low', available_quantity: 4 }),
      }),
    ]);
  } finally {
    await run.stop();
  }
});
