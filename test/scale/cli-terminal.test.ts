/**
 * The CLI in a real terminal: tmux at 80 columns runs `npx inventory upload`, the pane is captured,
 * and the progress (sending, then processing) stays on one line each, never wider than the terminal.
 * Also the CLI's own messages: help per command, --version, unknown options, the service down, a
 * directory given as the file (refused before any request), --local with DYNAMODB_PORT.
 * tmux is required (apt-get install tmux; .ci/run installs it): without it this test fails.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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

test('--local uses DYNAMODB_PORT', () => {
  const port = new URL(process.env.DYNAMODB_ENDPOINT!).port;
  const res = cli(['keys', 'list', '--tenant', newTenant(), '--local', '--table', process.env.TABLE_NAME!], { DYNAMODB_PORT: port, DYNAMODB_ENDPOINT: '' });
  expect(res.err).toBe('');
  expect(res.out).toContain('has no keys');
  expect(res.code).toBe(0);
});
