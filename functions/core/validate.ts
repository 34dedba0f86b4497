/** zod failures → one DomainError naming every bad field. Quantity fields get the quantity codes of the contract. */
import type * as z from 'zod/mini';
import { DomainError } from './errors.ts';
import type { ErrorDetail } from './errors.ts';

const QUANTITY_FIELDS = new Set([
  'stocked_quantity',
  'incoming_quantity',
  'quantity',
  'adjustment',
  'required_quantity',
  'safety_stock',
  'reorder_level',
  'reorder_quantity',
  'expected_quantity',
  'backorder_limit',
  // a transfer receipt's counts
  'accepted',
  'rejected',
  // records family
  'initialQty',
  'reorderLevel',
  'reorderQty',
]);
const STOCK_FIELDS = new Set(['stocked_quantity', 'incoming_quantity', 'initialQty']);

export function toDomainError(where: 'body' | 'query' | 'path', error: z.core.$ZodError, input: unknown): DomainError {
  const details: ErrorDetail[] = [];
  let quantityIssues = 0;
  let negative = 0;
  let belowZero = 0;
  for (const issue of error.issues) {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) details.push({ field: [...path, k].join('.'), message: 'is not a known field' });
      continue;
    }
    const field = path.join('.') || where;
    const last = path[path.length - 1];
    const value = valueAt(input, path);
    if (last && QUANTITY_FIELDS.has(last) && typeof value === 'number') {
      quantityIssues++;
      // a negative stock quantity (a level's, or the `quantity` of a stock write, which names a
      // warehouse) is a resulting quantity that would be negative; elsewhere it is just invalid
      const parent = valueAt(input, path.slice(0, -1)) as Record<string, unknown> | undefined;
      const stock = STOCK_FIELDS.has(last) || (last === 'quantity' && !!parent && 'warehouse_id' in parent);
      if (value < 0 && stock) negative++;
      // a negative adjustment is allowed: its problem is its size, not its sign
      if (value < 0 && last !== 'adjustment') belowZero++;
      details.push({ field, message: quantityMessage(value, issue) });
      continue;
    }
    details.push({ field, message: issue.message });
  }
  const summary = details.map((d) => `${d.field}: ${d.message}`).join('; ');
  if (quantityIssues > 0 && quantityIssues === details.length) {
    const err = new DomainError(negative === quantityIssues ? 'NEGATIVE_QUANTITY' : 'INVALID_QUANTITY', summary, details);
    err.negativeInput = belowZero === quantityIssues;
    return err;
  }
  return new DomainError('VALIDATION_ERROR', summary || `invalid ${where}`, details);
}

function quantityMessage(v: number, issue: z.core.$ZodIssue): string {
  if (!Number.isFinite(v)) return 'must be a finite integer';
  if (issue.code === 'custom') return issue.message;
  if (!Number.isInteger(v)) return `must be an integer (got ${v})`;
  if (Math.abs(v) > 1_000_000_000) return `must be at most 1,000,000,000 (got ${v})`;
  if (issue.code === 'too_small') return `must be at least ${String(issue.minimum)} (got ${v})`;
  if (v < 0) return `must not be negative (got ${v})`;
  return `is out of range (got ${v})`;
}

function valueAt(input: unknown, path: string[]): unknown {
  // biome-ignore lint/suspicious/noExplicitAny: walks an arbitrary JSON input by path
  let cur: any = input;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[p];
  }
  return cur;
}
