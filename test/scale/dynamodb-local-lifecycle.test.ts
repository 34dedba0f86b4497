/**
 * Issue 11, finding 7: no java of ours outlives the process that started it — not when that process
 * is SIGKILLed, not when `npm start` is interrupted while DynamoDB Local boots. Java processes are
 * told apart by the unique data folder each test gives them.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../lib/local/dynamodb-local.ts';
import { javaWith } from '../support/processes.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
/** Every process a test started: ended at the end, whatever happened in the test. */
const children: ChildProcess[] = [];
const track = (c: ChildProcess) => (children.push(c), c);

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

const exited = (child: ChildProcess) => new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));

function freshDir() {
  const dir = mkdtempSync(join(tmpdir(), 'inventory-lifecycle-'));
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await until(() => dirs.every((d) => javaWith(d).length === 0), 15_000);
  // the suite leaves no java of its own running
  const left = dirs.flatMap((dir) => javaWith(dir));
  for (const pid of left) process.kill(pid, 'SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  expect(left).toEqual([]);
});

test('java goes down with the process that started it, even when that process is SIGKILLed', async () => {
  const dir = freshDir();
  const child = track(spawn(process.execPath, ['--import', 'tsx', 'test/support/ddb-child.ts', dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  expect(await until(() => out.includes('up ') || child.exitCode !== null, 150_000)).toBe(true);
  expect(out).toContain('up ');
  expect(javaWith(dir)).toHaveLength(1);
  child.kill('SIGKILL');
  await exited(child);
  expect(await until(() => javaWith(dir).length === 0, 15_000)).toBe(true);
}, 180_000);

test('npm start interrupted while DynamoDB Local boots leaves no java on its port', async () => {
  const dir = freshDir();
  const ddbPort = await freePort();
  const { DYNAMODB_ENDPOINT: _e, TABLE_NAME: _t, ...env } = process.env;
  const child = track(
    spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
      cwd: ROOT,
      env: { ...env, PORT: String(await freePort()), DYNAMODB_PORT: String(ddbPort), INVENTORY_LOCAL_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  // as soon as java exists, before it listens
  expect(await until(() => javaWith(dir).length > 0 || child.exitCode !== null, 150_000)).toBe(true);
  child.kill('SIGINT');
  await exited(child);
  expect(await until(() => javaWith(dir).length === 0, 15_000)).toBe(true);
}, 180_000);

test('npm start killed with SIGKILL once running leaves no java behind', async () => {
  const dir = freshDir();
  const port = await freePort();
  const { DYNAMODB_ENDPOINT: _e, TABLE_NAME: _t, ...env } = process.env;
  const child = track(
    spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
      cwd: ROOT,
      env: { ...env, PORT: String(port), DYNAMODB_PORT: String(await freePort()), INVENTORY_LOCAL_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const healthy = async () => {
    try {
      return (await fetch(`http://127.0.0.1:${port}/health`)).status === 200;
    } catch {
      return false;
    }
  };
  const deadline = Date.now() + 150_000;
  while (!(await healthy()) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
  expect(await healthy()).toBe(true);
  expect(javaWith(dir)).toHaveLength(1);
  child.kill('SIGKILL');
  await exited(child);
  expect(await until(() => javaWith(dir).length === 0, 15_000)).toBe(true);
}, 180_000);
