/**
 * One way to reach shared code: a function's entry point (a module a Lambda runs) imports the
 * shared folders through package.json's subpath imports (`#core/*`, `#store/*`, `#edge/*`,
 * `#routes`); shared modules import each other by relative path. esbuild, tsx and jest all
 * resolve the aliases from package.json, with no configuration of their own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { routes } from '../../functions/routes.ts';
import { allFunctions } from '../../lib/functions.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const FUNCTIONS = join(ROOT, 'functions');
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));

// every function the stack deploys (lib/functions.ts): the routes' handlers and the service's own
const entryPoints = new Set(allFunctions().map((f) => join(ROOT, f.entry)));
const imports = (file: string) => [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
const aliases = Object.keys(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).imports as Record<string, string>);

test('the aliases are the four shared folders', () => {
  expect(aliases.sort()).toEqual(['#core/*', '#edge/*', '#routes', '#store/*']);
});

test('entry points reach shared code through the aliases, never by ../', () => {
  const offending = [...entryPoints].flatMap((f) =>
    imports(f)
      .filter((i) => i.startsWith('../'))
      .map((i) => `${relative(ROOT, f)}: ${i}`),
  );
  expect(offending).toEqual([]);
  expect(entryPoints.size).toBeGreaterThan(routes.length);
});

test('shared modules import each other by relative path, never through an alias', () => {
  const shared = files(FUNCTIONS).filter((f) => !entryPoints.has(f));
  const offending = shared.flatMap((f) =>
    imports(f)
      .filter((i) => i.startsWith('#'))
      .map((i) => `${relative(ROOT, f)}: ${i}`),
  );
  expect(offending).toEqual([]);
  expect(shared.length).toBeGreaterThan(30);
});
