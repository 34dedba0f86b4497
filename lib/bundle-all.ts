/** Bundle every function (lib/functions.ts) with the stack's options into a temporary folder; sizes in bytes. */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { ROOT, esbuildShared } from './bundling.ts';
import { allFunctions } from './functions.ts';
import { servedFiles } from './served-files.ts';

export interface BundleSize {
  name: string;
  entry: string;
  bytes: number;
  file: string;
  /** Files served at run time, copied beside the bundle (route table `assets`; served-files.ts), in bytes. */
  assetBytes: number;
  /** What the bundle is made of: bytes in the output per input file (esbuild's metafile). */
  inputs: Record<string, number>;
}

/**
 * With `keep`, the bundles stay in `dir` (the benchmark imports them); otherwise the folder is removed.
 * One esbuild call builds them all (each entry its own bundle, no code shared between them, as the
 * stack builds them one by one): the same bytes, in a fraction of the time.
 */
export async function bundleAll(opts: { dir?: string; keep?: boolean } = {}): Promise<BundleSize[]> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'inventory-bundles-'));
  try {
    const functions = allFunctions();
    const { metafile } = await build({
      ...esbuildShared(),
      entryPoints: Object.fromEntries(functions.map((f) => [f.name, resolve(ROOT, f.entry)])),
      outdir: dir,
      outExtension: { '.js': '.mjs' },
    });
    const outputs = new Map(
      Object.entries(metafile!.outputs)
        .filter(([path]) => path.endsWith('.mjs'))
        .map(([path, o]) => [basename(path, '.mjs'), o]),
    );
    return functions.map((f) => {
      const file = join(dir, `${f.name}.mjs`);
      const inputs = Object.fromEntries(Object.entries(outputs.get(f.name)!.inputs).map(([input, { bytesInOutput }]) => [input, bytesInOutput]));
      const assetBytes = servedFiles(f.route?.assets).reduce((sum, a) => sum + statSync(a.path).size, 0);
      return { name: f.name, entry: f.entry, bytes: statSync(file).size, file, assetBytes, inputs };
    });
  } finally {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
}

/** A bundle's bytes per package (`node_modules/<package>`) or, for our own code, per folder (`functions/core`) or top file (`functions/routes.ts`); largest first. */
export function composition(s: BundleSize): { part: string; bytes: number }[] {
  const parts = new Map<string, number>();
  for (const [input, bytes] of Object.entries(s.inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
    const part = pkg ?? input.split('/').slice(0, 2).join('/');
    parts.set(part, (parts.get(part) ?? 0) + bytes);
  }
  return [...parts].map(([part, bytes]) => ({ part, bytes })).sort((a, b) => b.bytes - a.bytes);
}
