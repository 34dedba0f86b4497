/** Every function, bundled the way the stack bundles it, stays under the size limit and loads. */
import { bundleAll } from '../../lib/bundle-all.ts';
import { MAX_BUNDLE_KB } from '../../lib/bundling.ts';
import { allFunctions } from '../../lib/functions.ts';
import { routes } from '../../functions/routes.ts';

test(`every function's minified bundle is under ${MAX_BUNDLE_KB} KB`, async () => {
  const sizes = await bundleAll();
  expect(sizes).toHaveLength(routes.length + 6);
  expect(sizes.map((s) => s.name).sort()).toEqual(allFunctions().map((f) => f.name).sort());
  const over = sizes.filter((s) => s.bytes > MAX_BUNDLE_KB * 1024).map((s) => `${s.name} ${(s.bytes / 1024).toFixed(1)} KB`);
  expect(over).toEqual([]);
  // a real bundle, not an empty file
  for (const s of sizes) expect(s.bytes).toBeGreaterThan(1024);
  // the docs page's files (Swagger UI) ship beside their function's bundle, not inside it
  const docs = sizes.find((s) => s.name === 'MetaDocsAsset')!;
  console.log(`docs functions: page ${(sizes.find((s) => s.name === 'MetaDocs')!.bytes / 1024).toFixed(1)} KB; assets ${(docs.bytes / 1024).toFixed(1)} KB code + ${(docs.assetBytes / 1024).toFixed(1)} KB Swagger UI files`);
  expect(docs.assetBytes).toBeGreaterThan(1024 * 1024);
  expect(docs.assetBytes).toBeLessThan(5 * 1024 * 1024);
  // the schemas are zod/mini: the classic API (~60 KB more in every function) is in no bundle
  const classic = sizes.filter((s) => Object.keys(s.inputs).some((i) => i.includes('node_modules/zod/v4/classic/'))).map((s) => s.name);
  expect(classic).toEqual([]);
  const mini = sizes.filter((s) => Object.keys(s.inputs).some((i) => i.includes('node_modules/zod/v4/mini/')));
  expect(mini.length).toBeGreaterThanOrEqual(routes.length);
}, 120_000);
