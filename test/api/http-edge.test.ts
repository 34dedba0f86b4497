/**
 * The HTTP edge: media types, sizes, headers, and error bodies that reveal nothing internal; the
 * local server's HEAD, OPTIONS and CORS as the HTTP API is configured (lib/cors.ts).
 */
import { routes } from '../../functions/routes.ts';
import { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS } from '../../lib/cors.ts';
import { createLocalServer, listen } from '../../lib/local/server.ts';
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

test('a body that is not JSON is 415 on every route that takes one, in the family shape, nothing created', async () => {
  for (const r of routes.filter((r) => r.body)) {
    // any id that is valid in form (a line is a number)
    const path = r.path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'line' ? '1' : 'x_1'));
    const res = await api.request(r.method, path, undefined, { raw: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(415);
    expect(JSON.stringify(res.body)).toContain('UNSUPPORTED_MEDIA_TYPE');
  }
  expect((await api.get('/admin/stock-locations')).body.count).toBe(0);
  // JSON with a charset, and the +json family, are JSON
  const ok = await api.request('POST', '/admin/stock-locations', undefined, {
    raw: '{"name":"A"}',
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
  expect(ok.status).toBe(200);
});

test('a body over 256 KB is 413 PAYLOAD_TOO_LARGE', async () => {
  const res = await api.post('/admin/inventory-items', { title: 'x'.repeat(300_000) });
  expect(res.status).toBe(413);
  expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
});

test('responses carry security headers; errors carry no stack traces or internal names', async () => {
  const res = await api.get('/admin/inventory-items/iitem_nope');
  for (const h of ['x-content-type-options', 'strict-transport-security', 'x-frame-options', 'content-security-policy', 'cache-control']) {
    expect(res.headers.get(h)).toBeTruthy();
  }
  const bodies = [
    res.text,
    (await api.request('POST', '/admin/reservations', undefined, { raw: '{', headers: { 'content-type': 'application/json' } })).text,
    (await api.get('/api/inventory?cursor=eyJ4Ijox')).text,
  ];
  for (const b of bodies) {
    expect(b).not.toMatch(/\bat .+\.(ts|js):\d+|node_modules|DynamoDB|ConditionalCheck|TransactionCanceled|T#/);
  }
});

test('the docs page renders the OpenAPI document with a policy that allows only itself', async () => {
  const res = await api.get('/docs', null);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/html');
  expect(res.text).toContain('api/openapi.json');
  expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
});

test('HEAD and OPTIONS without CORS configured: 404 Not Found, as the HTTP API (no such routes); every answer carries apigw-requestid', async () => {
  for (const method of ['HEAD', 'OPTIONS']) {
    const res = await fetch(`${api.url}/admin/stock-locations`, { method, headers: { authorization: `Bearer ${api.key}`, origin: 'https://shop.example' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('apigw-requestid')).toMatch(/^[A-Za-z0-9_-]{15}=$/);
    await res.arrayBuffer();
  }
  const ok = await api.get('/admin/stock-locations');
  expect(ok.headers.get('access-control-allow-origin')).toBeNull();
  expect(ok.headers.get('apigw-requestid')).toMatch(/^[A-Za-z0-9_-]{15}=$/);
});

test("with CORS origins (INVENTORY_CORS_ORIGINS, as the stack's corsOrigins): preflights answered 204 with the stack's headers, responses to an allowed origin carry it", async () => {
  const server = createLocalServer({ corsOrigins: ['https://shop.example'] });
  const url = `http://127.0.0.1:${await listen(server, 0)}`;
  try {
    const preflight = await fetch(`${url}/admin/reservations`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,idempotency-key',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(preflight.headers.get('access-control-allow-methods')!.split(',')).toEqual([...CORS_ALLOW_METHODS]);
    expect(preflight.headers.get('access-control-allow-headers')!.split(',')).toEqual([...CORS_ALLOW_HEADERS]);
    expect(preflight.headers.get('access-control-max-age')).toBe('3600');
    // another origin: answered, without the headers a browser needs
    const other = await fetch(`${url}/admin/reservations`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(other.status).toBe(204);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    // the answer itself, from an allowed origin
    const res = await fetch(`${url}/admin/stock-locations`, { headers: { origin: 'https://shop.example', authorization: `Bearer ${api.key}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    await res.arrayBuffer();
    // HEAD still has no route
    expect((await fetch(`${url}/admin/stock-locations`, { method: 'HEAD', headers: { origin: 'https://shop.example' } })).status).toBe(404);
    // any origin
    const star = createLocalServer({ corsOrigins: ['*'] });
    const starUrl = `http://127.0.0.1:${await listen(star, 0)}`;
    try {
      const any = await fetch(`${starUrl}/health`, { headers: { origin: 'https://anywhere.example' } });
      expect(any.headers.get('access-control-allow-origin')).toBe('*');
      await any.arrayBuffer();
    } finally {
      star.closeAllConnections();
      await new Promise<void>((r) => star.close(() => r()));
    }
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
