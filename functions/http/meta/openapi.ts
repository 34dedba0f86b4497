/**
 * `GET /api/openapi.json`: the OpenAPI document of every route. Deployed, it is a file beside this
 * function's bundle, generated from the route table when the stack is built (route table `assets`,
 * lib/served-files.ts): the table, every schema and the generator stay out of this function's code.
 * Locally and in tests, where no such file is beside the module, it is generated on the first call.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineHandler } from '#edge/http.ts';
import { metaOpenapi } from '#routes';

const BESIDE = join(dirname(fileURLToPath(import.meta.url)), 'openapi.json');
/** Built at run time so that esbuild does not follow it into the bundle. */
const GENERATOR = ['#edge', 'openapi.ts'].join('/');

async function load(): Promise<Record<string, unknown>> {
  if (existsSync(BESIDE)) return JSON.parse(readFileSync(BESIDE, 'utf8'));
  const { openApiDocument } = (await import(GENERATOR)) as typeof import('#edge/openapi.ts');
  return openApiDocument();
}

let doc: Record<string, unknown> | undefined;
export const handler = defineHandler(metaOpenapi)(async () => (doc ??= await load()));
