import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as table from '../../functions/routes.ts';
import { routes } from '../../functions/routes.ts';
import { matchRoute } from '../../lib/local/server.ts';

const ROOT = resolve(import.meta.dirname, '../..');

describe('the route table', () => {
  test('has no two routes with the same id or the same method and path', () => {
    expect(new Set(routes.map((r) => r.id)).size).toBe(routes.length);
    expect(new Set(routes.map((r) => `${r.method} ${r.path}`)).size).toBe(routes.length);
  });

  test.each(routes.map((r) => [r.id, r] as const))('%s: its handler module exists and serves that route', (id, route) => {
    const file = resolve(ROOT, route.handler);
    expect(existsSync(file)).toBe(true);
    const src = readFileSync(file, 'utf8');
    // bound to the route's own export in the table (one export per route, named after its id)
    const exported = Object.entries(table)
      .filter(([, v]) => v === route)
      .map(([name]) => name);
    expect(exported).toHaveLength(1);
    expect(src).toContain(`defineHandler(${exported[0]})(`);
    expect(src).toMatch(new RegExp(`import \\{ ${exported[0]} \\} from '#routes';`));
    expect(src).toMatch(/export const handler/);
  });

  test.each(routes.map((r) => [r.id, r] as const))('%s: path parameters match its params schema', (_id, route) => {
    const inPath = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const inSchema = Object.keys(route.params?.shape ?? {}).sort();
    expect(inSchema).toEqual(inPath);
  });

  test('read routes need a read scope and get read access only', () => {
    for (const r of routes.filter((r) => r.method === 'GET')) {
      expect(['inventory:read', 'keys:manage', 'public']).toContain(r.scope);
      expect(['read', 'none']).toContain(r.access);
    }
  });

  test('the local server resolves each route, literal segments before parameters', () => {
    for (const r of routes) {
      const path = r.path.replace(/\{(\w+)\}/g, (_m, n) => `x_${n}`);
      const m = matchRoute(r.method, path);
      expect(m).not.toBe('method');
      expect(m && m !== 'method' && m.route.id).toBe(r.id);
    }
    expect(matchRoute('GET', '/nowhere')).toBeUndefined();
    expect(matchRoute('PUT', '/health')).toBe('method');
  });
});
