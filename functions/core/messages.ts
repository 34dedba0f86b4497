/**
 * The English messages of validation failures, as the API has always answered them: zod's own
 * English wording (`zod/v4/locales/en`), kept to the issues our schemas can raise. zod's locale
 * carries names for every string format zod knows (~2.7 KB in every bundle); this is about a third
 * of that. test/unit/messages.test.ts proves each message equal to zod's for every issue kind.
 */
import type * as z from 'zod/mini';

type Issue = z.core.$ZodRawIssue;

const SIZED: Record<string, string> = { string: 'characters', array: 'items', set: 'items', map: 'entries', file: 'bytes' };
const FORMATS: Record<string, string> = { regex: 'input', datetime: 'ISO datetime', date: 'ISO date', time: 'ISO time', template_literal: 'input' };

// `shown` and `received` are zod's util.stringifyPrimitive and util.parsedType: zod exports util only
// as a namespace (`zod/v4/core`), and importing it puts all of it (~7 KB) into every bundle
const shown = (v: unknown) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'string' ? `"${v}"` : `${v as string}`);
function typeName(type: string, input?: unknown): string {
  if (type === 'number' && typeof input === 'number' && !Number.isFinite(input)) return String(input);
  return type === 'nan' ? 'NaN' : type;
}
function received(v: unknown): string {
  if (typeof v === 'number') return Number.isNaN(v) ? 'nan' : 'number';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object' && Object.getPrototypeOf(v) !== Object.prototype && 'constructor' in v && v.constructor)
    return (v.constructor as { name: string }).name;
  return typeof v;
}

export function message(issue: Issue): string {
  // biome-ignore lint/suspicious/noExplicitAny: zod issues carry kind-specific fields (minimum, keys, …) read by name
  const i = issue as Issue & Record<string, any>;
  switch (i.code) {
    case 'invalid_type':
      return `Invalid input: expected ${typeName(i.expected)}, received ${typeName(received(i.input), i.input)}`;
    case 'invalid_value':
      return i.values.length === 1 ? `Invalid input: expected ${shown(i.values[0])}` : `Invalid option: expected one of ${i.values.map(shown).join('|')}`;
    case 'too_big':
    case 'too_small': {
      const big = i.code === 'too_big';
      const adj = i.exact ? 'exactly ' : i.inclusive ? (big ? '<=' : '>=') : big ? '<' : '>';
      const unit = SIZED[i.origin];
      const bound = (big ? i.maximum : i.minimum).toString();
      const origin = big ? (i.origin ?? 'value') : i.origin;
      return `Too ${big ? 'big' : 'small'}: expected ${origin} to ${unit ? `have ${adj}${bound} ${unit}` : `be ${adj}${bound}`}`;
    }
    case 'invalid_format':
      if (i.format === 'starts_with') return `Invalid string: must start with "${i.prefix}"`;
      if (i.format === 'ends_with') return `Invalid string: must end with "${i.suffix}"`;
      if (i.format === 'includes') return `Invalid string: must include "${i.includes}"`;
      if (i.format === 'regex') return `Invalid string: must match pattern ${i.pattern}`;
      return `Invalid ${FORMATS[i.format] ?? i.format}`;
    case 'not_multiple_of':
      return `Invalid number: must be a multiple of ${i.divisor}`;
    case 'unrecognized_keys':
      return `Unrecognized key${i.keys.length > 1 ? 's' : ''}: ${i.keys.map(shown).join(', ')}`;
    case 'invalid_key':
      return `Invalid key in ${i.origin}`;
    case 'invalid_union':
      if (Array.isArray(i.options) && i.options.length > 0)
        return `Invalid discriminator value. Expected ${i.options.map((o: unknown) => `'${o}'`).join(' | ')}`;
      return i.inclusive === false ? 'Invalid input: more than one option matched' : 'Invalid input';
    case 'invalid_element':
      return `Invalid value in ${i.origin}`;
    default:
      return 'Invalid input';
  }
}
