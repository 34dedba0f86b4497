/**
 * `npm start` on a port already in use says so at once, before DynamoDB Local starts or a dev key is
 * written, and suggests a port that is free now (the next one may be taken too), within 80 columns.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { portFree } from '../../lib/local/terminal.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = resolve(ROOT, 'node_modules/.bin/tsx');

test('a busy PORT stops the start first, naming the variable to change and a port free now; nothing is started or written', async () => {
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
  const port = (busy.address() as AddressInfo).port;
  // the next port is taken too: the suggestion must not be it
  const next = createServer();
  await new Promise<void>((r) => {
    next.once('error', () => r());
    next.listen(port + 1, '127.0.0.1', () => r());
  });
  const dir = mkdtempSync(join(tmpdir(), 'inventory-port-'));
  const { DYNAMODB_ENDPOINT: _e, TABLE_NAME: _t, ...env } = process.env;
  const child = spawn(TSX, ['bin/local.ts'], { cwd: ROOT, env: { ...env, PORT: String(port), INVENTORY_LOCAL_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  await new Promise<void>((r) => busy.close(() => r()));
  const nextTaken = next.listening;
  expect(code).toBe(1);
  expect(out).toContain(`Port ${port} on 127.0.0.1 is already in use`);
  // the port it suggests is one that is free (not simply the next one, which may be taken too)
  const suggested = Number(/PORT=(\d+) npm start/.exec(out)?.[1]);
  expect(suggested).not.toBe(port);
  if (nextTaken) expect(suggested).not.toBe(port + 1);
  await new Promise<void>((r) => (next.listening ? next.close(() => r()) : r()));
  expect(await portFree(suggested)).toBe(true);
  for (const line of out.trim().split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  expect(out).not.toContain('DynamoDB Local');
  expect(existsSync(join(dir, 'dev-key'))).toBe(false);
  expect(existsSync(join(dir, 'dynamodb'))).toBe(false);
}, 60_000);
