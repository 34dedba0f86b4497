/**
 * The CLI in a real terminal: tmux at 80 columns runs `npx inventory upload`, the pane is captured,
 * and the progress (sending, then processing) stays on one line each, never wider than the terminal.
 * Also the CLI's own messages: help per command (within 80 columns), --version, unknown options, the
 * service down, an API refusal (in words, not JSON), a directory given as the file (refused before
 * any request), --local with DYNAMODB_PORT, with nothing listening, and with a stale
 * .local/dynamodb-endpoint. And `npm start` in tmux at 80 columns: its start-up lines fit, and
 * Ctrl-C stops it without a connection error.
 * tmux is required (apt-get install tmux; .ci/run installs it): without it this test fails.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../lib/local/dynamodb-local.ts';
import { startApi, newTenant } from '../support/api.ts';
import type { Api } from '../support/api.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = resolve(ROOT, 'bin/inventory.mjs');
const SOCKET = `inventory-cli-${process.pid}`;
const tmux = (...args: string[]) => spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
const cli = (args: string[], env: Record<string, string> = {}) => {
  const res = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: res.status, out: res.stdout, err: res.stderr };
};

/** The CLI in its own process, without blocking this one (for commands that call the API running here). */
const cliAsync = (args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> =>
  new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => done({ code, out, err }));
  });

let api: Api;
beforeAll(async () => {
  if (spawnSync('tmux', ['-V']).status !== 0) throw new Error('tmux not found: apt-get install tmux');
  api = await startApi();
});
afterAll(async () => {
  tmux('kill-server');
  await api?.close();
});

test('upload under tmux at 80 columns: progress while sending and processing, one line each, never wider than 80', async () => {
  await api.post('/api/warehouses', { id: 'wh_tty', name: 'TTY warehouse' });
  const skus = Array.from({ length: 20 }, (_, i) => `TTY-${i}`);
  for (const sku of skus) await api.post('/admin/inventory-items', { sku, title: sku });
  const dir = mkdtempSync(join(tmpdir(), 'inventory-tty-'));
  const file = join(dir, 'count.csv');
  const rows = Array.from({ length: 400 }, (_, i) => `${skus[i % skus.length]},wh_tty,${i},cycle_count,row ${i}`);
  writeFileSync(file, `sku,warehouse_id,quantity,reason,note\n${rows.join('\n')}\n`);

  const command = `${process.execPath} ${CLI} upload ${file} --url ${api.url} --key ${api.key}; echo EXIT=$?; sleep 60`;
  expect(tmux('new-session', '-d', '-x', '80', '-y', '30', '-s', 'upload', command).status).toBe(0);
  let screen = '';
  const deadline = Date.now() + 60_000;
  while (!/EXIT=\d/.test(screen)) {
    if (Date.now() > deadline) throw new Error(`the upload did not end within 60 s:\n${screen}`);
    await new Promise((r) => setTimeout(r, 300));
    screen = tmux('capture-pane', '-p', '-t', 'upload').stdout;
  }
  console.log(`tmux pane at 80 columns:\n${screen}`);
  const lines = screen.split('\n');
  expect(screen).toContain('EXIT=0');
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
  // each progress bar was redrawn in place: one line for sending, one for processing, both finished
  expect(lines.filter((l) => l.startsWith('[') && l.includes('sending'))).toEqual([expect.stringMatching(/^\[#+\] sending [\d.]+\/[\d.]+ KB 100%$/)]);
  expect(lines.filter((l) => / rows /.test(l) && l.startsWith('['))).toEqual([expect.stringMatching(/^\[#+\] 400\/400 rows 100% .*completed$/)]);
  expect(screen).toContain('rows 400 of 400');
}, 90_000);

test('help per command, --version, unknown options and commands: clean messages, no stack', () => {
  const keys = cli(['keys']);
  expect(keys.code).toBe(0);
  expect(keys.out).toContain('keys create --tenant T --name N --scopes');
  expect(cli(['upload', '--help']).out).toContain('Usage: npx inventory upload FILE.csv');
  expect(cli(['--version']).out).toMatch(/^inventory-service \d+\.\d+\.\d+/);
  const unknown = cli(['keys', 'list', '--frobnicate']);
  expect(unknown.code).toBe(2);
  expect(unknown.err).toContain('Unknown option --frobnicate');
  expect(unknown.err).toContain('npx inventory keys --help');
  expect(unknown.err).not.toMatch(/\bat .+:\d+|TypeError|ERR_PARSE_ARGS/);
  expect(cli(['frob']).err).toContain('Unknown command: frob');
  // no AWS SDK warning about Node versions on any command
  expect(keys.err).not.toMatch(/NodeJS|Node\.js.*support/i);
});

test('the service down: the message names the URL and what to do', async () => {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r())); // a port where nothing listens now
  const res = cli(['upload', resolve(ROOT, 'test/fixtures/stock-count.csv'), '--url', `http://127.0.0.1:${port}`, '--key', api.key]);
  expect(res.code).toBe(1);
  expect(res.err).toContain(`Cannot reach the inventory API at http://127.0.0.1:${port}`);
  expect(res.err).toContain('npm start');
  expect(res.err).not.toContain('fetch failed\n');
});

test('a directory as the file: a usage error before any request, so no upload job is left behind', async () => {
  let requests = 0;
  const srv = createServer((_req, res) => {
    requests++;
    res.writeHead(500).end();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const res = cli(['upload', tmpdir(), '--url', `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, '--key', api.key]);
  await new Promise<void>((r) => srv.close(() => r()));
  expect(res.code).toBe(2);
  expect(res.err).toContain('is a directory');
  expect(requests).toBe(0);
});

test('--local uses DYNAMODB_PORT', async () => {
  const port = new URL(process.env.DYNAMODB_ENDPOINT!).port;
  const dir = mkdtempSync(join(tmpdir(), 'inventory-local-'));
  // (not spawnSync: when this file runs alone, the run's DynamoDB front is in this very process)
  const res = await cliAsync(['keys', 'list', '--tenant', newTenant(), '--local', '--table', process.env.TABLE_NAME!], {
    DYNAMODB_PORT: port,
    DYNAMODB_ENDPOINT: '',
    INVENTORY_LOCAL_DIR: dir,
  });
  expect(res.err).toBe('');
  expect(res.out).toContain('has no keys');
  expect(res.code).toBe(0);
});

test('every help fits 80 columns', () => {
  for (const args of [['--help'], ['keys', '--help'], ['upload', '--help'], ['reconcile', '--help']]) {
    const res = cli(args);
    expect(res.code).toBe(0);
    const wide = res.out.split('\n').filter((l) => l.length > 80);
    expect({ args, wide }).toEqual({ args, wide: [] });
  }
});

test('--local with nothing listening, and with a .local/dynamodb-endpoint left by a killed npm start: what is wrong and what to do, no socket error', async () => {
  const dead = await freePort();
  const live = new URL(process.env.DYNAMODB_ENDPOINT!).port;
  const list = (env: Record<string, string>) =>
    cliAsync(['keys', 'list', '--tenant', newTenant(), '--local', '--table', process.env.TABLE_NAME!], { DYNAMODB_ENDPOINT: '', ...env });
  // nothing at all
  const empty = mkdtempSync(join(tmpdir(), 'inventory-local-'));
  const none = await list({ INVENTORY_LOCAL_DIR: empty, DYNAMODB_PORT: String(dead) });
  expect(none.code).toBe(1);
  expect(none.err).toContain(`Cannot reach npm start's DynamoDB: nothing answers at http://127.0.0.1:${dead}.`);
  expect(none.err).toContain('npm start');
  expect(none.err).not.toMatch(/ECONNREFUSED|^\s+at .+:\d+:\d+\)?$/m);
  for (const line of none.err.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  // a stale address file (npm start killed with -9 leaves it): named as such
  const stale = mkdtempSync(join(tmpdir(), 'inventory-local-'));
  writeFileSync(join(stale, 'dynamodb-endpoint'), `http://127.0.0.1:${dead}\n`);
  const staleOnly = await list({ INVENTORY_LOCAL_DIR: stale, DYNAMODB_PORT: String(await freePort()) });
  expect(staleOnly.code).toBe(1);
  expect(staleOnly.err).toContain(`names http://127.0.0.1:${dead},`);
  expect(staleOnly.err).toContain('did not stop cleanly');
  expect(staleOnly.err).not.toContain('ECONNREFUSED');
  // … and a DynamoDB on DYNAMODB_PORT after all: used, with a note
  const fallback = await list({ INVENTORY_LOCAL_DIR: stale, DYNAMODB_PORT: live });
  expect(fallback.code).toBe(0);
  expect(fallback.out).toContain('has no keys');
  expect(fallback.err).toContain(`Using DynamoDB at http://127.0.0.1:${live} (DYNAMODB_PORT) instead.`);
});

test('an API refusal is told in words (status, code, message, what to do), not as raw JSON', async () => {
  const reader = await api.keyWith(['inventory:read'], 'reader');
  const res = await cliAsync(['upload', resolve(ROOT, 'test/fixtures/stock-count.csv'), '--url', api.url, '--key', reader]);
  expect(res.code).toBe(1);
  expect(res.err).toContain('Starting the upload: the API answered 403 FORBIDDEN.');
  expect(res.err).toContain('This API key lacks the scope inventory:write');
  expect(res.err).not.toMatch(/[{}"]/);
  const unknown = await cliAsync(['upload', '--status', 'upl_nope', '--url', api.url, '--key', 'inv_nobody_aaaaaaaaaaaaaaaaaaaa']);
  expect(unknown.code).toBe(1);
  expect(unknown.err).toContain('Reading upload upl_nope: the API answered 401 UNAUTHORIZED.');
  expect(unknown.err).toContain('--key KEY');
});

test('npm start under tmux at 80 columns: start-up lines fit; Ctrl-C stops it, no connection errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inventory-start-'));
  mkdirSync(dir, { recursive: true });
  const [port, ddbPort] = [await freePort(), await freePort()];
  const { DYNAMODB_ENDPOINT: _e, TABLE_NAME: _t, ...env } = process.env;
  const vars = {
    ...env,
    INVENTORY_IN_MEMORY: '1',
    INVENTORY_LOCAL_DIR: dir,
    PORT: String(port),
    DYNAMODB_PORT: String(ddbPort),
    INVENTORY_STREAM_INTERVAL_MS: '20',
  };
  const exports = Object.entries(vars)
    .filter(([k]) => /^(INVENTORY_|PORT$|DYNAMODB_PORT$|PATH$|HOME$|JAVA_HOME$)/.test(k))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
  const command = `cd ${ROOT} && env -u DYNAMODB_ENDPOINT -u TABLE_NAME ${exports} ${process.execPath} --import tsx bin/local.ts; echo EXIT=$?; sleep 60`;
  expect(tmux('new-session', '-d', '-x', '80', '-y', '40', '-s', 'start', command).status).toBe(0);
  const screen = () => tmux('capture-pane', '-p', '-t', 'start').stdout;
  const until = async (what: RegExp, ms: number) => {
    const deadline = Date.now() + ms;
    while (!what.test(screen())) {
      if (Date.now() > deadline) throw new Error(`not on the screen within ${ms} ms: ${what}\n${screen()}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  await until(/Inventory API on http:/, 90_000);
  const started = screen();
  console.log(`npm start at 80 columns:\n${started}`);
  // a few requests, so the stream consumer has records to poll for while it stops
  const key = (/inv_default_\S+/.exec(started) ?? [''])[0];
  for (let i = 0; i < 3; i++)
    await fetch(`http://127.0.0.1:${port}/api/warehouses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `W${i}` }),
    });
  const lines = started.split('\n');
  // nothing wrapped: every line the service printed is within 80 columns and none is a continuation of a cut one
  for (const line of lines) expect(line.length).toBeLessThan(80);
  expect(started).toContain('Starting the inventory service');
  expect(started).toMatch(/^ {2}Dev key {9}inv_default_/m);
  expect(started).not.toContain('DynamoDB front');
  tmux('send-keys', '-t', 'start', 'C-c');
  await until(/EXIT=\d/, 30_000);
  const stopped = screen();
  console.log(`after Ctrl-C:\n${stopped}`);
  expect(stopped).toContain('stopped.');
  expect(stopped).toContain('EXIT=0');
  expect(stopped).not.toMatch(/ECONNREFUSED|ECONNRESET|stream consumer:/);
}, 150_000);
