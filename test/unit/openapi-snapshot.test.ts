/**
 * The OpenAPI document (GET /api/openapi.json) is exactly the committed one, byte for byte: a change
 * of the schemas' library or of how they are written cannot change the contract unnoticed.
 * The snapshot was generated from the code before the move to zod/mini. After a deliberate change of
 * the contract, regenerate it and review its diff:
 *   UPDATE_FIXTURES=1 NODE_OPTIONS=--experimental-vm-modules npx jest test/unit/openapi-snapshot.test.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { openApiDocument } from '../../functions/edge/openapi.ts';

const FIXTURE = resolve(import.meta.dirname, '__fixtures__/openapi.json');
const generated = `${JSON.stringify(openApiDocument(), null, 2)}\n`;
if (process.env.UPDATE_FIXTURES === '1') writeFileSync(FIXTURE, generated);
const committed = readFileSync(FIXTURE, 'utf8');

test('the generated OpenAPI document has the same content as the committed snapshot', () => {
  // a structural diff first: it names the paths that differ
  expect(JSON.parse(generated)).toStrictEqual(JSON.parse(committed));
});

test('the generated OpenAPI document is byte-identical to the committed snapshot (key order, number forms)', () => {
  const a = generated.split('\n');
  const b = committed.split('\n');
  const first = a.findIndex((line, i) => line !== b[i]);
  const at = first === -1 && a.length !== b.length ? Math.min(a.length, b.length) : first;
  // the first line that differs, with its number, rather than two 700 KB strings
  expect(at === -1 ? 'identical' : { line: at + 1, generated: a[at], committed: b[at] }).toBe('identical');
  expect(generated === committed).toBe(true);
});
