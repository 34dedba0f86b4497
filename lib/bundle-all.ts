/** Bundle every function (lib/functions.ts) with the stack's options into a temporary folder; sizes in bytes. */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptions } from './bundling.ts';
import { allFunctions } from './functions.ts';

export interface BundleSize {
  name: string;
  entry: string;
  bytes: number;
  file: string;
}

/** With `keep`, the bundles stay in `dir` (the benchmark imports them); otherwise the folder is removed. */
export async function bundleAll(opts: { dir?: string; keep?: boolean } = {}): Promise<BundleSize[]> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'inventory-bundles-'));
  try {
    const out: BundleSize[] = [];
    for (const f of allFunctions()) {
      const file = join(dir, `${f.name}.mjs`);
      await build(esbuildOptions(f.entry, file));
      out.push({ name: f.name, entry: f.entry, bytes: statSync(file).size, file });
    }
    return out;
  } finally {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
}
