/**
 * How every function is bundled — one definition for the stack (NodejsFunction), the bundle-size
 * check (bin/bundle-sizes.ts) and the benchmark (bench/). ESM, minified, tree-shaken, source maps,
 * Node 24, and the AWS SDK v3 left to the Lambda runtime, which ships it (the CDK's own default for
 * Node 18+): that keeps every bundle under 250 KB.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const BUNDLING = {
  format: 'esm' as const,
  minify: true,
  sourceMap: true,
  target: 'node24',
  platform: 'node' as const,
  mainFields: ['module', 'main'],
  external: ['@aws-sdk/*'],
  // some CommonJS dependencies call require(); an ESM bundle must provide it
  banner: "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);",
  // a bundle is a deployed function: its route carries no answer schema (functions/routes.ts NONE)
  define: { 'globalThis.INVENTORY_BUNDLE': 'true' } as Record<string, string>,
};

/**
 * The limit a function's minified bundle must stay under (KB = 1024 bytes): 100 until Medusa's level
 * batch and issue 25's level fields took two bundles just past it (docs/operations.md, "Bundles").
 */
export const MAX_BUNDLE_KB = 110;

/** esbuild options the way the stack bundles a function, without its entry and output. */
export function esbuildShared() {
  return {
    bundle: true,
    format: BUNDLING.format,
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourceMap,
    target: BUNDLING.target,
    platform: BUNDLING.platform,
    mainFields: BUNDLING.mainFields,
    external: BUNDLING.external,
    banner: { js: BUNDLING.banner },
    define: BUNDLING.define,
    metafile: true,
    logLevel: 'error' as const,
  };
}

/** esbuild options for one entry, the way the stack bundles it. */
export function esbuildOptions(entry: string, outfile: string) {
  return { ...esbuildShared(), entryPoints: [resolve(ROOT, entry)], outfile };
}
