/** The HTTP edge: media types, sizes, headers, and error bodies that reveal nothing internal. */
import { routes } from '../../functions/routes.ts';
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

test('a body that is not JSON is 415 on every route that takes one, in the family shape, nothing created', async () => {
  for (const r of routes.filter((r) => r.body)) {
    const path = r.path.replace(/\{(\w+)\}/g, 'x_1');
    const res = await api.request(r.method, path, undefined, { raw: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(415);
    expect(JSON.stringify(res.body)).toContain('UNSUPPORTED_MEDIA_TYPE');
  }
  expect((await api.get('/admin/stock-locations')).body.count).toBe(0);
  // JSON with a charset, and the +json family, are JSON
  const ok = await api.request('POST', '/admin/stock-locations', undefined, { raw: '{"name":"A"}', headers: { 'content-type': 'application/json; charset=utf-8' } });
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
