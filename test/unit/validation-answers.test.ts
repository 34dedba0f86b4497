/**
 * What every route's input schemas answer — the error code, message and fields of the 4xx, or the
 * parsed value — for its documented example and for ~4,000 bad variants of it (each field in turn
 * given a wrong type, too long, negative, fractional, null, a control character, …), is exactly the
 * committed answer set. The set was recorded from the schemas before the move to zod/mini: a change
 * of the validation library cannot change what a client is told. Runs without I/O.
 *
 * After a deliberate change of a schema, regenerate and review the diff:
 *   UPDATE_FIXTURES=1 NODE_OPTIONS=--experimental-vm-modules npx jest test/unit/validation-answers.test.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DomainError } from '../../functions/core/errors.ts';
import { bulkRow } from '../../functions/core/schemas.ts';
import { toDomainError } from '../../functions/core/validate.ts';
import { example as generatedExample, openApiDocument } from '../../functions/edge/openapi.ts';
import { routes } from '../../functions/routes.ts';

const FIXTURE = resolve(import.meta.dirname, '__fixtures__/validation-answers.json');
const doc = openApiDocument() as any;

type Where = 'body' | 'query' | 'path';
interface Parser {
  safeParse(input: unknown): { success: true; data: unknown } | { success: false; error: any };
}

/** Values that break a field one way each. */
const BAD: unknown[] = [null, 12345, -1, 1.5, 2e9, '', 'x'.repeat(300), 'x'.repeat(20_000), '\u0001', 'not a date', true, [], {}, [1], { zz: 1 }];
/** Query and path values arrive as strings. */
const BAD_STRINGS: string[] = ['', '-1', '1.5', '99999999999', 'abc', 'x'.repeat(300), 'x'.repeat(5000), '\u0001', 'a,b', ' '];

/** Completes an example generated from a schema that is not valid on its own. */
const COMPLETE: Record<string, (example: any) => unknown> = {
  'holds.create': (ex) => ({ ...ex, lines: ex.lines.map((l: object) => ({ sku: 'SKU-001', ...l })) }),
  // a move's two states differ
  'inventory.moves': (ex) => ({ ...ex, from: 'available', to: 'damaged' }),
};

function answer(where: Where, schema: Parser, input: unknown) {
  const res = schema.safeParse(input);
  if (res.success) return { ok: res.data === undefined ? '<undefined>' : res.data };
  const err = toDomainError(where, res.error, input);
  expect(err).toBeInstanceOf(DomainError);
  return { code: err.code, message: err.message, details: err.details };
}

/** Every path to a value in `v` (objects and the first element of arrays), up to `depth`. */
function paths(v: unknown, depth = 3, at: (string | number)[] = []): (string | number)[][] {
  if (depth === 0 || v === null || typeof v !== 'object') return [];
  const out: (string | number)[][] = [];
  const entries: [string | number, unknown][] = Array.isArray(v) ? (v.length ? [[0, v[0]]] : []) : Object.entries(v);
  for (const [k, x] of entries) {
    out.push([...at, k]);
    out.push(...paths(x, depth - 1, [...at, k]));
  }
  return out;
}

function setAt(v: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(v) as any;
  let cur = copy;
  for (const p of path.slice(0, -1)) cur = cur[p];
  cur[path[path.length - 1]] = value;
  return copy;
}

function cases(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const add = (key: string, where: Where, schema: Parser, input: unknown) => {
    out[key] = answer(where, schema, input);
  };
  // the bad variants are made from an example generated from the published schema, which sets every
  // field (the document's own examples are hand-written and set a few: each is a case of its own)
  const bodyOf = (r: (typeof routes)[number]) => doc.paths[r.path][r.method.toLowerCase()].requestBody.content['application/json'];
  const bodies: [string, Parser, unknown][] = routes.filter((r) => r.body).map((r) => [r.id, r.body as unknown as Parser, generatedExample(bodyOf(r).schema)]);
  for (const r of routes.filter((r) => r.body)) add(`${r.id} body: the documented example`, 'body', r.body as unknown as Parser, bodyOf(r).example);
  bodies.push([
    'inventory.bulk#row',
    bulkRow as unknown as Parser,
    (generatedExample(bodyOf(routes.find((r) => r.id === 'inventory.bulk')!).schema) as any).updates[0],
  ]);
  for (const [id, schema, generated] of bodies) {
    add(`${id} body: the example`, 'body', schema, generated);
    // a generated example that does not pass (holds.create's lines give neither sku nor variant)
    // is completed so that it does: the bad variants are made from a valid body
    const example = COMPLETE[id]?.(structuredClone(generated)) ?? generated;
    expect([id, schema.safeParse(example).success]).toEqual([id, true]);
    for (const whole of [undefined, null, {}, [], 'text', 7, { zz_unknown: 1 }])
      add(`${id} body: ${JSON.stringify(whole) ?? 'undefined'}`, 'body', schema, whole);
    for (const p of paths(example)) {
      add(`${id} body: ${p.join('.')} removed`, 'body', schema, setAt(example, p, undefined));
      BAD.forEach((bad, i) => add(`${id} body: ${p.join('.')} = bad#${i}`, 'body', schema, setAt(example, p, bad)));
    }
  }
  for (const r of routes) {
    for (const [where, schema] of [
      ['query', r.query],
      ['path', r.params],
    ] as const) {
      if (!schema) continue;
      const params = doc.paths[r.path][r.method.toLowerCase()].parameters.filter((p: any) => p.in === where);
      // every parameter set (the document gives examples for required ones only: optional filters stay empty in /docs)
      const example = Object.fromEntries(params.map((p: any) => [p.name, String(p.example ?? generatedExample(p.schema, p.name))]));
      const parser = schema as unknown as Parser;
      add(`${r.id} ${where}: {}`, where, parser, {});
      add(`${r.id} ${where}: the example`, where, parser, example);
      add(`${r.id} ${where}: an unknown parameter`, where, parser, { ...example, zz_unknown: '1' });
      for (const p of params) {
        BAD_STRINGS.forEach((bad, i) => add(`${r.id} ${where}: ${p.name} = bad#${i}`, where, parser, { ...example, [p.name]: bad }));
      }
    }
  }
  return out;
}

test('every route input schema answers the committed set of answers (4xx code, message, fields; or the parsed value)', () => {
  // long strings a schema accepts are echoed in its parsed value: recorded by their length
  const short = (_k: string, v: unknown) => (typeof v === 'string' && /^x{300,}$/.test(v) ? `<x × ${v.length}>` : v);
  // one line per case: a diff shows the cases that changed
  const lines = Object.entries(cases()).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v, short)}`);
  const generated = `{\n${lines.join(',\n')}\n}\n`;
  if (process.env.UPDATE_FIXTURES === '1') writeFileSync(FIXTURE, generated);
  const committed = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  const now = JSON.parse(generated);
  expect(Object.keys(now).length).toBeGreaterThan(1000);
  const differ = Object.keys({ ...committed, ...now }).filter((k) => JSON.stringify(committed[k]) !== JSON.stringify(now[k]));
  // the first few that differ, both ways, rather than the whole set
  expect(differ.slice(0, 5).map((k) => ({ case: k, committed: committed[k], now: now[k] }))).toEqual([]);
  expect(generated).toBe(readFileSync(FIXTURE, 'utf8'));
});
