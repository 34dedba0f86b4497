/** `npm start` on a port already in use says so at once: before DynamoDB Local starts or a dev key is written. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = resolve(ROOT, 'node_modules/.bin/tsx');

test('a busy PORT stops the start first, naming the variable to change; nothing is started or written', async () => {
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
  const port = (busy.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'inventory-port-'));
  const { DYNAMODB_ENDPOINT: _e, TABLE_NAME: _t, ...env } = process.env;
  const child = spawn(TSX, ['bin/local.ts'], { cwd: ROOT, env: { ...env, PORT: String(port), INVENTORY_LOCAL_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  await new Promise<void>((r) => busy.close(() => r()));
  expect(code).toBe(1);
  expect(out).toContain(`Port ${port} on 127.0.0.1 is already in use`);
  expect(out).toContain(`PORT=${port + 1} npm start`);
  expect(out).not.toContain('DynamoDB Local');
  expect(existsSync(join(dir, 'dev-key'))).toBe(false);
  expect(existsSync(join(dir, 'dynamodb'))).toBe(false);
}, 60_000);
