/**
 * The API's validation messages (functions/core/messages.ts) are zod's English ones, word for word:
 * every kind of issue our schemas can raise, and the kinds zod/mini can raise besides, parsed with
 * `reportInput` so both see the same issue, must read the same through both.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { message } from '../../functions/core/messages.ts';
import '../../functions/core/schemas.ts';

const zods = en().localeError as (issue: z.core.$ZodRawIssue) => string;

/** [name, schema, a bad input, the schema's own message if it has one] */
const cases: [string, z.ZodMiniType, unknown, string?][] = [
  ['wrong type', z.string(), 5],
  ['wrong type: null', z.number(), null],
  ['wrong type: array', z.object({}), []],
  ['wrong type: NaN', z.number(), Number.NaN],
  ['wrong type: Infinity', z.string(), Number.POSITIVE_INFINITY],
  ['wrong type: a class instance', z.string(), new Date(0)],
  ['wrong type: an object without prototype', z.string(), Object.create(null)],
  ['one literal', z.literal('ok'), 'no'],
  ['one of several', z.enum(['set', 'adjust']), 'x'],
  ['too long a string', z.string().check(z.maxLength(3)), 'abcd'],
  ['too short a string', z.string().check(z.minLength(2)), 'a'],
  ['exact length', z.string().check(z.length(2)), 'abc'],
  ['too many items', z.array(z.number()).check(z.maxLength(1)), [1, 2]],
  ['too few items', z.array(z.number()).check(z.minLength(1)), []],
  ['too big a number', z.number().check(z.lte(5)), 6],
  ['too big, exclusive', z.number().check(z.lt(5)), 5],
  ['too small a number', z.number().check(z.gte(0)), -1],
  ['too small, exclusive', z.number().check(z.gt(0)), 0],
  ['not an integer', z.number().check(z.int()), 1.5],
  ['an integer out of range', z.int(), 2 ** 60],
  ['a pattern', z.string().check(z.regex(/^\d+$/)), 'x'],
  ['a pattern with its own message', z.string().check(z.regex(/^\d+$/, 'digits only')), 'x', 'digits only'],
  ['an ISO datetime', z.iso.datetime({ offset: true }), 'yesterday'],
  ['starts with', z.string().check(z.startsWith('a')), 'b'],
  ['ends with', z.string().check(z.endsWith('a')), 'b'],
  ['includes', z.string().check(z.includes('a')), 'b'],
  ['a multiple of', z.number().check(z.multipleOf(5)), 3],
  ['an unknown key', z.strictObject({ a: z.number() }), { a: 1, b: 2 }],
  ['unknown keys', z.strictObject({}), { b: 1, c: 2 }],
  ['a bad record key', z.record(z.string().check(z.minLength(2)), z.number()), { a: 1 }],
  ['a union', z.union([z.string(), z.number()]), true],
  ['a discriminated union', z.discriminatedUnion('k', [z.object({ k: z.literal('a') }), z.object({ k: z.literal('b') })]), { k: 'c' }],
  ['a set element', z.set(z.number()), new Set(['x'])],
  ['a map value', z.map(z.string(), z.number()), new Map([['a', 'x']])],
  ['a custom check', z.number().check(z.refine((n) => n !== 0, { message: 'must not be 0' })), 0, 'must not be 0'],
];

test.each(cases.map(([name, schema, input, own]) => ({ name, schema, input, own })))(
  '$name: the same message as zod’s English locale',
  ({ schema, input, own }) => {
    const result = z.safeParse(schema, input, { reportInput: true });
    expect(result.success).toBe(false);
    const issues = result.error!.issues as unknown as z.core.$ZodRawIssue[];
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) {
      // a schema's own message is kept; the locale is asked only when there is none
      const expected = own ?? zods(issue);
      if (!own) expect({ code: issue.code, message: message(issue) }).toEqual({ code: issue.code, message: expected });
      // what the service answers (z.config in schemas.ts) is that message
      expect(issue.message).toBe(expected);
    }
  },
);
