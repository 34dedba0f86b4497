/**
 * Logs you can follow locally: the local server gives every answer an API Gateway request id
 * (`apigw-requestid`), prints it on its request line (`req=`), and every log line of the functions
 * that served the request carries the same id as `request_id`, with the function's own name, the
 * route, the tenant and the key name — also with requests in flight side by side, which share one
 * process (and, before, one logger state: lines said the stream poller's function name and lost
 * their request id when another invocation ended first).
 */
import type { Server } from 'node:http';
import { functionName } from '../../lib/functions.ts';
import { routes } from '../../functions/routes.ts';
import { setClient, db } from '../../functions/store/db.ts';

let server: Server;
let url: string;
let tenant: string;
let key: string;
/** Everything written to stdout / stderr and the console while the requests ran. */
const captured: string[] = [];
const restore: (() => void)[] = [];

beforeAll(async () => {
  // the functions' Logger reads its level when it is made: DEBUG for this file's (the server and the
  // functions are imported here, after it is set), and back for the next file in this worker
  const level = process.env.POWERTOOLS_LOG_LEVEL;
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  try {
    const { createLocalServer, listen } = await import('../../lib/local/server.ts');
    const { makeKey, newTenant } = await import('../support/api.ts');
    tenant = newTenant();
    key = await makeKey(tenant, undefined, 'log-reader');
    server = createLocalServer({ log: true });
    url = `http://127.0.0.1:${await listen(server, 0)}`;
  } finally {
    if (level === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
    else process.env.POWERTOOLS_LOG_LEVEL = level;
  }
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  db().destroy();
  setClient(undefined);
});

function capture() {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      captured.push(String(chunk));
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof stream.write;
    restore.push(() => (stream.write = write));
  }
  const log = console.log;
  console.log = (...args: unknown[]) => void captured.push(`${args.map(String).join(' ')}\n`);
  restore.push(() => (console.log = log));
}

test('each request: one request id in its answer, its request line and every line of its functions, with function name, route, tenant and key name', async () => {
  capture();
  let answers: { path: string; method: string; id: string | null; status: number }[];
  try {
    const send = async (method: string, path: string, body?: unknown, auth = true) => {
      const res = await fetch(url + path, {
        method,
        headers: { ...(auth ? { authorization: `Bearer ${key}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      await res.text();
      return { path, method, id: res.headers.get('apigw-requestid'), status: res.status };
    };
    // side by side: reads and writes of several routes, a public one, and one without a key
    answers = await Promise.all([
      send('POST', '/api/warehouses', { name: 'Logs A' }),
      send('POST', '/api/warehouses', { name: 'Logs B' }),
      send('GET', '/api/inventory/warehouses'),
      send('GET', '/admin/stock-locations?limit=5'),
      send('GET', '/admin/reservations'),
      send('GET', '/health', undefined, false),
      send('GET', '/api/keys', undefined, false),
      send('GET', '/nowhere'),
    ]);
    // the request lines are printed when each answer has been sent
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    restore.forEach((r) => r());
  }
  const text = captured.join('');
  const requestLines = text.split('\n').filter((l) => / req=/.test(l));
  const functionLines = text
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes('"service":"inventory"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

  expect(answers.map((a) => a.status)).toEqual([201, 201, 200, 200, 200, 200, 401, 404]);
  const ids = answers.map((a) => a.id);
  // API Gateway's shape (e.g. Fsd3iH4yoAMEbVw=), one of its own per request
  for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{15}=$/);
  expect(new Set(ids).size).toBe(ids.length);

  for (const a of answers) {
    const lines = requestLines.filter((l) => l.includes(` req=${a.id}`));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(` ${a.method} ${a.path.split('?')[0]} ${a.status} `);
    if (a.path === '/nowhere') continue;
    const route = routes.find((r) => r.method === a.method && r.path === a.path.split('?')[0])!;
    expect(lines[0]).toContain(` ${route.id}`);
    // the route's function: its lines carry the request id, its own name, the route and who called
    const own = functionLines.filter((l) => l.request_id === a.id && l.function_name === functionName(route));
    expect(own.length).toBeGreaterThan(0);
    for (const l of own) {
      expect(l).toMatchObject({ route: route.id, function_name: functionName(route) });
      if (route.scope !== 'public' && a.status < 400) expect(l).toMatchObject({ tenant, key_name: 'log-reader' });
    }
    expect(own.some((l) => l.message === 'answered' && (l as { status?: number }).status === a.status)).toBe(true);
    // one invocation of it: one Lambda request id
    expect(new Set(own.map((l) => l.function_request_id)).size).toBe(1);
  }
  // every function line belongs to a request of this test, under its own function's name
  const byId = new Map(answers.map((a) => [a.id, a]));
  for (const l of functionLines.filter((x) => x.function_name !== 'Authorizer')) {
    expect(byId.has(l.request_id as string)).toBe(true);
  }
  expect(functionLines.filter((l) => l.function_name === 'stream' || l.request_id === undefined)).toEqual([]);
});
