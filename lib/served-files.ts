/**
 * Files a route's function serves from beside its bundle (route table `assets`), so they are not in
 * its code: a package file (`swagger-ui-dist/swagger-ui.css`) is copied from node_modules; a name
 * listed in GENERATED is made from the code when the stack is built. One definition for the stack
 * (copied after esbuild ran), the bundle-size check and the benchmark.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { openApiDocument } from '../functions/edge/openapi.ts';

const require = createRequire(import.meta.url);

/** Files made at build time: GET /api/openapi.json serves the document generated from the route table. */
const GENERATED: Record<string, () => string> = {
  'openapi.json': () => JSON.stringify(openApiDocument()),
};

let generatedDir: string | undefined;
/** Each generated file is made once per process (a synth, the bundle check and a test may each ask). */
const generated = new Map<string, string>();

function generatedFile(name: string, make: () => string): string {
  let path = generated.get(name);
  if (!path) {
    generatedDir ??= mkdtempSync(join(tmpdir(), 'inventory-served-'));
    path = join(generatedDir, name);
    writeFileSync(path, make());
    generated.set(name, path);
  }
  return path;
}

/** Where each of a route's served files is on this machine, by the name it has beside the bundle. */
export function servedFiles(assets: readonly string[] = []): { name: string; path: string }[] {
  return assets.map((a) => {
    const make = GENERATED[a];
    return make ? { name: a, path: generatedFile(a, make) } : { name: basename(a), path: require.resolve(a) };
  });
}
