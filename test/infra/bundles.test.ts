/** Every function, bundled the way the stack bundles it, stays under the size limit and loads. */
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as z from 'zod/mini';
import { bundleAll } from '../../lib/bundle-all.ts';
import type { BundleSize } from '../../lib/bundle-all.ts';
import { MAX_BUNDLE_KB, ROOT } from '../../lib/bundling.ts';
import { allFunctions } from '../../lib/functions.ts';
import { servedFiles } from '../../lib/served-files.ts';
import { routes } from '../../functions/routes.ts';
import { openApiDocument } from '../../functions/edge/openapi.ts';
import { localContext } from '../../functions/edge/observability.ts';

// inside the repository, so that a bundle's external @aws-sdk/* imports resolve when it is loaded
const DIR = join(ROOT, 'node_modules/.cache/bundles-test');
let sizes: BundleSize[];
beforeAll(async () => {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  sizes = await bundleAll({ dir: DIR, keep: true });
}, 120_000);
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

test(`every function's minified bundle is under ${MAX_BUNDLE_KB} KB`, () => {
  expect(sizes).toHaveLength(routes.length + 6);
  expect(sizes.map((s) => s.name).sort()).toEqual(
    allFunctions()
      .map((f) => f.name)
      .sort(),
  );
  const over = sizes.filter((s) => s.bytes > MAX_BUNDLE_KB * 1024).map((s) => `${s.name} ${(s.bytes / 1024).toFixed(1)} KB`);
  expect(over).toEqual([]);
  // a real bundle, not an empty file
  for (const s of sizes) expect(s.bytes).toBeGreaterThan(1024);
  // the docs page's files (Swagger UI) ship beside their function's bundle, not inside it
  const docs = sizes.find((s) => s.name === 'MetaDocsAsset')!;
  console.log(
    `docs functions: page ${(sizes.find((s) => s.name === 'MetaDocs')!.bytes / 1024).toFixed(1)} KB; assets ${(docs.bytes / 1024).toFixed(1)} KB code + ${(docs.assetBytes / 1024).toFixed(1)} KB Swagger UI files`,
  );
  expect(docs.assetBytes).toBeGreaterThan(1024 * 1024);
  expect(docs.assetBytes).toBeLessThan(5 * 1024 * 1024);
  // the schemas are zod/mini: the classic API (~60 KB more in every function) is in no bundle
  const classic = sizes.filter((s) => Object.keys(s.inputs).some((i) => i.includes('node_modules/zod/v4/classic/'))).map((s) => s.name);
  expect(classic).toEqual([]);
  const mini = sizes.filter((s) => Object.keys(s.inputs).some((i) => i.includes('node_modules/zod/v4/mini/')));
  expect(mini.length).toBeGreaterThanOrEqual(routes.length);
});

test('a bundle carries its own route and schemas only: the health route has no other route, schema or entity in it', () => {
  const health = readFileSync(sizes.find((s) => s.name === 'MetaHealth')!.file, 'utf8');
  for (const r of routes.filter((r) => r.id !== 'meta.health'))
    expect({ route: r.id, inHealth: health.includes(`"${r.path}"`) }).toEqual({ route: r.id, inHealth: false });
  // texts of schemas (an id's description, a custom check) and of an entity's key
  for (const text of ['an id such as', 'must not be 0', 'may not contain control characters', '#LOC#'])
    expect({ text, inHealth: health.includes(text) }).toEqual({ text, inHealth: false });
  // and the route's own reply is there
  expect(health).toContain('"/health"');
});

test("a bundle carries no answer schema (nothing reads it at run time): a reservation's answer is described in the source's table, not in the function", async () => {
  const { adminReservationsCreate } = await import('../../functions/routes.ts');
  const text = "A reservation with its inventory item (Medusa's default";
  // the table imported from source has it (the OpenAPI document and the route tests read it there)
  expect(JSON.stringify(z.toJSONSchema(adminReservationsCreate.response, { io: 'output', unrepresentable: 'any' }))).toContain(text);
  const bundle = readFileSync(sizes.find((s) => s.name === 'AdminReservationsCreate')!.file, 'utf8');
  expect(bundle).not.toContain(text);
  // while its request's schema is there: the function validates what it is sent
  expect(bundle).toContain('"inventory_item_id"');
});

test('the deployed OpenAPI function serves the generated document from beside its bundle, without the generator in its code', async () => {
  const s = sizes.find((x) => x.name === 'MetaOpenapi')!;
  expect(s.assetBytes).toBeGreaterThan(100 * 1024);
  const code = readFileSync(s.file, 'utf8');
  expect(code).not.toContain('Recompute levels'); // a route summary: the table is not in it
  for (const f of servedFiles(['openapi.json'])) copyFileSync(f.path, join(DIR, f.name));
  const { handler } = await import(pathToFileURL(s.file).href);
  const event = {
    version: '2.0',
    rawPath: '/api/openapi.json',
    rawQueryString: '',
    headers: {},
    requestContext: { http: { method: 'GET', path: '/api/openapi.json' }, requestId: 'r' },
  };
  const res = await handler(event, localContext('MetaOpenapi', 30_000));
  expect(res.statusCode).toBe(200);
  expect(JSON.parse(res.body)).toStrictEqual(JSON.parse(JSON.stringify(openApiDocument())));
});
