/**
 * An item's size as DynamoDB counts it for capacity units (DynamoDB Developer Guide, "DynamoDB item
 * sizes and formats", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
 * the sum over its attributes of the UTF-8 length of the name plus the value's size — a string its
 * UTF-8 bytes, a number 1 byte per two significant digits plus 1, a binary its raw bytes, null and
 * Boolean 1 byte, a list or map 3 bytes plus 1 byte per element plus its elements, a set the sum of
 * its members. Items are in DynamoDB's JSON wire form ({ "name": { "S": "…" } }).
 */
// biome-ignore lint/suspicious/noExplicitAny: DynamoDB's wire JSON is open-ended
type Json = Record<string, any>;

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

function numberSize(n: string): number {
  // significant digits: no sign, no exponent, no leading or trailing zeroes, no decimal point
  const mantissa = n
    .replace(/^[-+]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(1, mantissa.length) / 2) + 1;
}

/** Size of one attribute value (without its name). */
export function valueSize(v: Json): number {
  if (v.S !== undefined) return utf8(v.S);
  if (v.N !== undefined) return numberSize(v.N);
  if (v.B !== undefined) return Buffer.from(v.B, 'base64').length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS) return (v.SS as string[]).reduce((a, s) => a + utf8(s), 0);
  if (v.NS) return (v.NS as string[]).reduce((a, s) => a + numberSize(s), 0);
  if (v.BS) return (v.BS as string[]).reduce((a, s) => a + Buffer.from(s, 'base64').length, 0);
  if (v.L) return 3 + (v.L as Json[]).reduce((a, e) => a + 1 + valueSize(e), 0);
  if (v.M) return 3 + Object.entries(v.M as Json).reduce((a, [k, e]) => a + 1 + utf8(k) + valueSize(e), 0);
  return 0;
}

/** Size of an item in bytes (0 for no item). */
export function itemSize(item: Json | null | undefined): number {
  if (!item) return 0;
  let size = 0;
  for (const [name, v] of Object.entries(item)) size += utf8(name) + valueSize(v);
  return size;
}

/** Capacity units for a size: 1 KB write units, 4 KB read units, at least one. */
export const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
export const readUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 4096));
