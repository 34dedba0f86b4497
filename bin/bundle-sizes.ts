/**
 * `npm run bundles`: bundles every function the way the stack does and prints its minified size,
 * then what the largest is made of (bytes per package or folder of ours; `-- --why=<Function>` for
 * another one). Exits 1 if one is over MAX_BUNDLE_KB. (test/infra/bundles.test.ts asserts the same in CI.)
 */
import { bundleAll, composition } from '../lib/bundle-all.ts';
import { MAX_BUNDLE_KB } from '../lib/bundling.ts';

const sizes = await bundleAll();
const width = Math.max(...sizes.map((s) => s.name.length));
for (const s of sizes.sort((a, b) => b.bytes - a.bytes)) {
  const assets = s.assetBytes ? `  + ${(s.assetBytes / 1024).toFixed(1)} KB of served files beside it` : '';
  console.log(`${s.name.padEnd(width)}  ${(s.bytes / 1024).toFixed(1).padStart(6)} KB${s.bytes > MAX_BUNDLE_KB * 1024 ? '  OVER' : ''}${assets}`);
}
const over = sizes.filter((s) => s.bytes > MAX_BUNDLE_KB * 1024);
console.log(`${sizes.length} functions, largest ${(Math.max(...sizes.map((s) => s.bytes)) / 1024).toFixed(1)} KB, limit ${MAX_BUNDLE_KB} KB`);
const why = process.argv.find((a) => a.startsWith('--why='))?.slice('--why='.length) ?? sizes[0].name;
const shown = sizes.find((s) => s.name === why);
if (!shown) throw new Error(`no function ${why}`);
console.log(`\n${shown.name} is made of:`);
for (const { part, bytes } of composition(shown).filter((p) => p.bytes >= 512)) console.log(`  ${part.padEnd(40)} ${(bytes / 1024).toFixed(1).padStart(6)} KB`);
process.exit(over.length ? 1 : 0);
