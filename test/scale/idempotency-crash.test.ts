/**
 * Issue 11, kill -9: the local runtime (bin/local.ts on file-backed data) is killed with SIGKILL in
 * the middle of a burst of keyed writes, restarted on the same data, and every operation is retried
 * with its Idempotency-Key: each took effect exactly once. A claim its dead request left behind
 * holds a retry until the claim's lock ends (INVENTORY_IDEMPOTENCY_LOCK_SECONDS, 3 s here).
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../lib/local/dynamodb-local.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = resolve(ROOT, 'node_modules/.bin/tsx');
const KEY = 'inv_crash-shop_cccccccccccccccccccccccc';
const LOCK_SECONDS = 3;

interface Running {
  child: ChildProcess;
  port: number;
}

async function start(env: Record<string, string>): Promise<Running> {
  const port = await freePort();
  const { DYNAMODB_ENDPOINT: _e, TABLE_NAME: _t, ...inherited } = process.env;
  const child = spawn(TSX, ['bin/local.ts'], { cwd: ROOT, env: { ...inherited, PORT: String(port), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bin/local.ts exited ${child.exitCode}:\n${out}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).status === 200) return { child, port };
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      killTree(child.pid!, 'SIGKILL');
      throw new Error(`bin/local.ts not ready within 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A process's descendants (tsx runs the service in a child node; DynamoDB Local's java is another). */
function tree(pid: number): { pid: number; comm: string }[] {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,comm='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .map(([p, pp, comm]) => ({ pid: Number(p), ppid: Number(pp), comm }));
  const out: { pid: number; comm: string }[] = [];
  const walk = (p: number) => {
    for (const r of rows) if (r.ppid === p) out.push({ pid: r.pid, comm: r.comm }), walk(r.pid);
  };
  walk(pid);
  return out;
}
const descendants = (pid: number) => tree(pid).map((p) => p.pid);

function killTree(pid: number, signal: NodeJS.Signals) {
  for (const p of [pid, ...descendants(pid)]) {
    try {
      process.kill(p, signal);
    } catch {
      /* gone already */
    }
  }
}

async function waitGone(pids: number[]) {
  const deadline = Date.now() + 20_000;
  for (const p of pids) {
    for (;;) {
      try {
        process.kill(p, 0);
      } catch {
        break;
      }
      if (Date.now() > deadline) {
        process.kill(p, 'SIGKILL');
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

interface Op {
  key: string;
  method: string;
  path: string;
  body: unknown;
  kind: 'reserve' | 'adjust';
  delta: number;
  line?: string;
  before?: number;
}

const call = async (port: number, method: string, path: string, body?: unknown, idemKey?: string) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...(idemKey ? { 'idempotency-key': idemKey } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any, replayed: res.headers.get('idempotency-replayed') === 'true' };
};

let dir: string;
let running: Running | undefined;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'inventory-crash-'));
});
afterAll(async () => {
  if (running?.child.exitCode === null) {
    const pids = [running.child.pid!, ...descendants(running.child.pid!)];
    killTree(running.child.pid!, 'SIGTERM');
    await waitGone(pids);
  }
  rmSync(dir, { recursive: true, force: true });
});

test('kill -9 in the middle of a burst of keyed writes, restart on the same data: every write retried with its key took effect exactly once', async () => {
  const env = {
    INVENTORY_LOCAL_DIR: dir,
    DYNAMODB_PORT: String(await freePort()),
    INVENTORY_BOOTSTRAP_KEYS: JSON.stringify([{ tenant: 'crash-shop', key: KEY, name: 'all' }]),
    INVENTORY_IDEMPOTENCY_LOCK_SECONDS: String(LOCK_SECONDS),
    INVENTORY_SWEEP_INTERVAL: '3600',
  };
  running = await start(env);
  let port = running.port;
  const wh = (await call(port, 'POST', '/api/warehouses', { name: 'Crash' })).body.data.id;
  const iid = (await call(port, 'POST', '/admin/inventory-items', { sku: 'CRASH-1' })).body.inventory_item.id;
  expect((await call(port, 'POST', `/admin/inventory-items/${iid}/location-levels`, { location_id: wh, stocked_quantity: 1000 })).status).toBe(200);

  const ops: Op[] = [];
  for (let i = 0; i < 40; i++) {
    if (i % 2)
      ops.push({
        key: `crash-res-${i}`,
        kind: 'reserve',
        delta: 1 + (i % 3),
        line: `crash-line-${i}`,
        method: 'POST',
        path: '/admin/reservations',
        body: { inventory_item_id: iid, location_id: wh, quantity: 1 + (i % 3), line_item_id: `crash-line-${i}` },
      });
    else
      ops.push({
        key: `crash-adj-${i}`,
        kind: 'adjust',
        delta: 1 + (i % 4),
        method: 'POST',
        path: `/admin/inventory-items/${iid}/location-levels/${wh}/adjust`,
        body: { adjustment: 1 + (i % 4), reason: 'supplier_receipt' },
      });
  }

  // the burst: 8 at a time; SIGKILL once 12 answers are in
  const answered = new Map<string, number>();
  let next = 0;
  let killed = false;
  const victim = running.child;
  // kill -9 the service: the tsx wrapper and the node process serving requests; DynamoDB Local
  // (java) is the database, which in production outlives the service
  const family = tree(victim.pid!);
  const service = [victim.pid!, ...family.filter((p) => p.comm !== 'java').map((p) => p.pid)];
  const orphans = family.filter((p) => p.comm === 'java').map((p) => p.pid);
  expect(service.length).toBeGreaterThan(1);
  expect(orphans).toHaveLength(1);
  const burst = Array.from({ length: 8 }, async () => {
    while (next < ops.length && !killed) {
      const op = ops[next++];
      try {
        const res = await call(port, op.method, op.path, op.body, op.key);
        answered.set(op.key, res.status);
        if (answered.size >= 12 && !killed) {
          killed = true;
          // each on its own: a short-lived process seen in the tree (e.g. the java watchdog's) may be gone already
          for (const p of service.reverse()) {
            try {
              process.kill(p, 'SIGKILL');
            } catch {
              /* gone already */
            }
          }
        }
      } catch {
        /* in flight when the service died: outcome unknown */
      }
    }
  });
  await Promise.all(burst);
  await new Promise((r) => (victim.exitCode !== null || victim.signalCode !== null ? r(null) : victim.once('exit', r)));
  expect(victim.signalCode).toBe('SIGKILL');
  await waitGone(service);
  const sent = next;
  const unknown = ops.slice(0, sent).filter((op) => !answered.has(op.key)).length;
  // DynamoDB Local outlives its killed parent: stop it (gently, the data is on disk) before the restart
  for (const p of orphans) {
    try {
      process.kill(p, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  await waitGone(orphans);

  running = await start(env);
  port = running.port;
  // every operation, sent or not, with its key, until the answer is final
  const restarted = Date.now();
  let retries = 0;
  let longestWait = 0;
  await Promise.all(
    Array.from({ length: 8 }, async (_, w) => {
      for (let i = w; i < ops.length; i += 8) {
        const op = ops[i];
        const t0 = Date.now();
        for (let attempt = 0; ; attempt++) {
          expect(attempt).toBeLessThan(50);
          const res = await call(port, op.method, op.path, op.body, op.key);
          if (res.status === 409 && res.body.code === 'CONFLICT' && /Idempotency-Key/.test(res.body.message)) {
            retries++;
            await new Promise((r) => setTimeout(r, 200));
            continue;
          }
          expect(res.status).toBe(200);
          break;
        }
        longestWait = Math.max(longestWait, Date.now() - t0);
      }
    }),
  );

  const reservations = (await call(port, 'GET', `/admin/reservations?inventory_item_id=${iid}&limit=1000`)).body.reservations as { line_item_id: string }[];
  let doubled = 0;
  let lost = 0;
  for (const op of ops.filter((o) => o.kind === 'reserve')) {
    const n = reservations.filter((r) => r.line_item_id === op.line).length;
    if (n > 1) doubled += n - 1;
    if (n < 1) lost++;
  }
  const level = (await call(port, 'GET', `/admin/inventory-items/${iid}`)).body.inventory_item.location_levels[0];
  const adjusts = ops.filter((o) => o.kind === 'adjust');
  const history = (await call(port, 'GET', `/api/inventory/CRASH-1/adjustments?reason=supplier_receipt&limit=100`)).body;
  console.log(
    `kill -9: ${sent} of ${ops.length} writes sent before the kill, ${answered.size} answered, ${unknown} in flight (outcome unknown); ` +
      `after the restart ${retries} retries answered "in progress", longest wait for a final answer ${longestWait} ms ` +
      `(claim lock ${LOCK_SECONDS} s), ${((Date.now() - restarted) / 1000).toFixed(1)} s to settle all; effects lost ${lost}, doubled ${doubled}`,
  );
  expect(unknown).toBeGreaterThan(0);
  expect(doubled).toBe(0);
  expect(lost).toBe(0);
  expect(history.data).toHaveLength(adjusts.length);
  expect(level.stocked_quantity).toBe(1000 + adjusts.reduce((a, o) => a + o.delta, 0));
  expect(level.reserved_quantity).toBe(ops.filter((o) => o.kind === 'reserve').reduce((a, o) => a + o.delta, 0));
  expect(level.available_quantity).toBe(level.stocked_quantity - level.reserved_quantity - level.safety_stock);
  // a claim left by a killed request holds its retry no longer than the lock (plus the 5 s a request waits before answering 409)
  expect(longestWait).toBeLessThan((LOCK_SECONDS + 10) * 1000);
}, 180_000);
