/**
 * The OpenAPI document's examples against the service itself, as "Try it out" in /docs sends them:
 *
 * - every request example (path and required query parameters, body) is accepted by the route's
 *   validation — never a VALIDATION_ERROR, never a 5xx — and the examples that name only what the
 *   example world has (warehouses wh_01JEXAMPLE / wh_02JEXAMPLE, SKU SHIRT-MD-BLU) succeed;
 * - each error response's example code is what the route answers with that status: rendered in the
 *   route's family it has that status, and where a request can provoke it here (401, 403, 400, 404,
 *   413, 415, 422) the service answers exactly that code. 409 and 410 (a guard, an expired hold) are
 *   checked by their rendering only; the API tests of each route provoke them.
 */
import * as core from 'zod/v4/core';
import { DomainError } from '../../functions/core/errors.ts';
import type { ErrorCode } from '../../functions/core/errors.ts';
import { SCOPES } from '../../functions/core/model.ts';
import type { Scope } from '../../functions/core/model.ts';
import { openApiDocument } from '../../functions/edge/openapi.ts';
import { renderError } from '../../functions/edge/render.ts';
import { routes } from '../../functions/routes.ts';
import type { Route } from '../../functions/routes.ts';
import { makeKey, startApi } from '../support/api.ts';
import type { Api, Response } from '../support/api.ts';

const doc = openApiDocument() as any;
const operation = (r: Route) => doc.paths[r.path][r.method.toLowerCase()];
const bodyExample = (r: Route) => operation(r).requestBody?.content['application/json'].example;

/**
 * The request "Try it out" sends for a route with nothing typed in: the document's examples
 * (`firstPathParam`: that value, as sent, for the first path parameter instead).
 */
function requestOf(r: Route, firstPathParam?: string): { path: string; body: unknown } {
  const params = operation(r).parameters.filter((p: any) => !p.$ref);
  let path = r.path;
  let first = true;
  const query = new URLSearchParams();
  for (const p of params) {
    if (p.in === 'path') {
      path = path.replace(`{${p.name}}`, first && firstPathParam !== undefined ? firstPathParam : encodeURIComponent(String(p.example)));
      first = false;
    } else if (p.in === 'query' && p.example !== undefined) query.set(p.name, String(p.example));
  }
  return { path: `${path}${query.size ? `?${query}` : ''}`, body: bodyExample(r) };
}

/** The code of an error answer, whatever the family's shape. */
const codeOf = (res: Response) => (res.body?.error?.code ?? res.body?.code) as string | undefined;

let api: Api;
beforeAll(async () => {
  api = await startApi();
  // the example world: the two warehouses and the SKU the examples name, stocked
  for (const [id, name] of [
    ['wh_01JEXAMPLE', 'Main warehouse'],
    ['wh_02JEXAMPLE', 'Second warehouse'],
  ])
    expect((await api.post('/api/warehouses', { id, name })).status).toBe(201);
  expect((await api.post('/admin/inventory-items', { sku: 'SHIRT-MD-BLU', title: 'Premium T-Shirt - Medium - Blue' })).status).toBe(200);
  expect((await api.request('PUT', '/api/inventory/SHIRT-MD-BLU', { warehouse_id: 'wh_01JEXAMPLE', quantity: 100 })).status).toBe(200);
});
afterAll(() => api.close());

test("every request example of the document passes its route's validation; those that name only the example world succeed", async () => {
  const answers: { id: string; status: number; code?: string }[] = [];
  // writes that remove things last, so the others find what they name
  const ordered = [...routes.filter((r) => r.method !== 'DELETE'), ...routes.filter((r) => r.method === 'DELETE')];
  for (const r of ordered) {
    const { path, body } = requestOf(r);
    const res = await api.request(r.method, path, body, r.scope === 'public' ? { key: null } : {});
    answers.push({ id: r.id, status: res.status, code: res.status >= 400 ? codeOf(res) : undefined });
  }
  expect(answers.filter((a) => a.status >= 500 || a.code === 'VALIDATION_ERROR' || a.status === 415)).toEqual([]);
  const succeed = [
    'holds.create',
    'inventory.set',
    'inventory.bulk',
    'inventory.transfer',
    'inventory.moves',
    'transfers.create',
    'inventory.warehouses.create',
    'admin.locations.create',
    'uploads.create',
    'reports.create',
    'keys.create',
    'reconcile.run',
    'records.create',
    'inbound.create',
    // reads without an id; not the latest low-stock report (none until one is made: reports.create runs after it)
    ...routes.filter((r) => r.method === 'GET' && !r.params && r.id !== 'reports.latest').map((r) => r.id),
  ];
  expect(answers.filter((a) => succeed.includes(a.id) && (a.status < 200 || a.status > 299))).toEqual([]);
}, 120_000);

/** A key of this tenant without the route's scope. */
function scopesWithout(r: Route): Scope[] {
  const grants = (s: Scope) => (r.scope === 'reservations' ? s === 'reservations:write' || s === 'inventory:write' : s === r.scope);
  return SCOPES.filter((s) => !grants(s));
}

/** A query that fails the route's validation (the first parameter that can be given a wrong value). */
const BAD_QUERY: Record<string, string> = {
  limit: 'abc',
  offset: 'abc',
  quantity: 'abc',
  format: 'xml',
  status: 'bogus',
  start_date: 'yesterday',
  warehouse_id: 'bad id!',
  cursor: 'x'.repeat(2001),
};

/** The body changed so it is still valid and differs (another request for the same Idempotency-Key). */
function anotherBody(r: Route, body: any): unknown {
  const parse = (b: unknown) => (r.body as unknown as core.$ZodType)['~standard'].validate(b) as { issues?: unknown[] };
  const candidates: unknown[] = [];
  for (const [k, v] of Object.entries(body ?? {})) {
    if (typeof v === 'number') candidates.push({ ...body, [k]: v + 1 });
    if (typeof v === 'boolean') candidates.push({ ...body, [k]: !v });
    if (typeof v === 'string') candidates.push({ ...body, [k]: `${v}-2` });
    const { [k]: _dropped, ...rest } = body;
    candidates.push(rest);
  }
  candidates.push(undefined);
  const found = candidates.find((c) => JSON.stringify(c) !== JSON.stringify(body) && !parse(c).issues);
  if (found === undefined && parse(undefined).issues) throw new Error(`${r.id}: no other valid body for the 422 check`);
  return found;
}

/** A body that provokes a 422 of `code` before anything is read. */
function provoke422(r: Route, code: ErrorCode, body: any): unknown {
  const copy = structuredClone(body);
  const set = (value: number) => {
    for (const f of ['quantity', 'stocked_quantity', 'adjustment', 'initialQty', 'required_quantity']) if (f in copy) return void (copy[f] = value);
    if (copy.lines?.[0]?.quantity !== undefined) return void (copy.lines[0].quantity = value);
    if (copy.lines?.[0]?.accepted !== undefined) return void (copy.lines[0].accepted = value);
    throw new Error(`${r.id}: no quantity in its example to provoke ${code}`);
  };
  if (code === 'INVALID_QUANTITY') set(2_000_000_000);
  else if (code === 'NEGATIVE_QUANTITY') set(-5);
  else if (code === 'HOLD_TOO_LARGE') copy.lines = Array.from({ length: 97 }, (_, i) => ({ sku: `S-${i}`, quantity: 1 }));
  else if (code === 'TRANSFER_TOO_LARGE') copy.lines = Array.from({ length: 25 }, (_, i) => ({ sku: `S-${i}`, quantity: 1 }));
  else if (code === 'TOO_MANY_UPDATES') copy.updates = Array.from({ length: 501 }, () => copy.updates[0]);
  else throw new Error(`${r.id}: no way to provoke ${code}`);
  return copy;
}

test('each error example names the code the route answers with that status', async () => {
  // a tenant that has nothing (for 404s: what an example names is not there), and one for the 422s' writes
  const empty = await api.otherTenant();
  const scratch = await api.otherTenant();
  const keys = new Map<string, string>();
  const keyWithout = async (r: Route) => {
    const scopes = scopesWithout(r);
    const k = scopes.join(',');
    if (!keys.has(k)) keys.set(k, await makeKey(api.tenant, scopes, 'narrow'));
    return keys.get(k)!;
  };
  const wrong: unknown[] = [];
  let checked = 0;
  for (const r of routes) {
    for (const [status, ref] of Object.entries<any>(operation(r).responses)) {
      if (!status.startsWith('4') || status === '429') continue;
      const name = ref.$ref.split('/').pop();
      const code = doc.components.responses[name].content['application/json'].example;
      const expected = (code.error?.code ?? code.code) as ErrorCode;
      // rendered in the route's family, this code has this status
      if (renderError(r.family, new DomainError(expected, 'x')).status !== Number(status))
        wrong.push({ route: r.id, status, expected, rendered: renderError(r.family, new DomainError(expected, 'x')).status });
      const { path, body } = requestOf(r);
      let res: Response | undefined;
      switch (Number(status)) {
        case 401:
          res = await api.request(r.method, path, body, { key: null });
          break;
        case 403:
          res = await api.request(r.method, path, body, { key: await keyWithout(r) });
          break;
        case 400: {
          if (r.body && typeof body === 'object') res = await api.request(r.method, path, { ...(body as object), zz_not_a_field: 1 });
          else if (r.params) res = await api.request(r.method, requestOf(r, '%01bad%20id!').path, body);
          else {
            const param = operation(r).parameters.find((p: any) => p.in === 'query' && (BAD_QUERY[p.name] || p.required));
            const query = new URLSearchParams(requestOf(r).path.split('?')[1]);
            if (BAD_QUERY[param.name]) query.set(param.name, BAD_QUERY[param.name]!);
            else query.delete(param.name);
            res = await api.request(r.method, `${r.path}?${query}`, body);
          }
          break;
        }
        case 404:
          // the example, in a tenant that has nothing: what it names is not there
          res = await api.request(r.method, r.scope === 'public' ? path.replace(/[^/]+$/, 'nope.txt') : path, body, {
            key: r.scope === 'public' ? null : empty.key,
          });
          break;
        case 413:
          res = await api.request(r.method, path, undefined, {
            raw: JSON.stringify({ pad: 'x'.repeat(300_000) }),
            headers: { 'content-type': 'application/json' },
          });
          break;
        case 415:
          res = await api.request(r.method, path, undefined, { raw: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
          break;
        case 422:
          if (expected === 'IDEMPOTENCY_KEY_REUSED') {
            const idem = `examples-${r.id}-${Date.now()}`;
            await api.request(r.method, path, body, { key: scratch.key, headers: { 'idempotency-key': idem } });
            // another request: another body, or (a DELETE has none) another resource
            const second = r.body ? { path, body: anotherBody(r, body) } : requestOf(r, 'other_01JEXAMPLE');
            res = await api.request(r.method, second.path, second.body, { key: scratch.key, headers: { 'idempotency-key': idem } });
          } else res = await api.request(r.method, path, provoke422(r, expected, body), { key: scratch.key });
          break;
        default:
          continue; // 409, 410: by their rendering only (above)
      }
      checked++;
      if (res.status !== Number(status) || codeOf(res) !== expected)
        wrong.push({ route: r.id, status, expected, got: [res.status, codeOf(res) ?? res.text.slice(0, 120)] });
    }
  }
  expect(wrong).toEqual([]);
  expect(checked).toBeGreaterThan(250);
}, 240_000);
