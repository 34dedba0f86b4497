/** Bundle every function (lib/functions.ts) with the stack's options into a temporary folder; sizes in bytes. */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptions } from './bundling.ts';
import { allFunctions } from './functions.ts';

const require = createRequire(import.meta.url);

export interface BundleSize {
  name: string;
  entry: string;
  bytes: number;
  file: string;
  /** Package files served at run time, copied beside the bundle (route table `assets`), in bytes. */
  assetBytes: number;
}

/** With `keep`, the bundles stay in `dir` (the benchmark imports them); otherwise the folder is removed. */
export async function bundleAll(opts: { dir?: string; keep?: boolean } = {}): Promise<BundleSize[]> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'inventory-bundles-'));
  try {
    const out: BundleSize[] = [];
    for (const f of allFunctions()) {
      const file = join(dir, `${f.name}.mjs`);
      await build(esbuildOptions(f.entry, file));
      const assetBytes = (f.route?.assets ?? []).reduce((sum, a) => sum + statSync(require.resolve(a)).size, 0);
      out.push({ name: f.name, entry: f.entry, bytes: statSync(file).size, file, assetBytes });
    }
    return out;
  } finally {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
}
