/**
 * POST /api/inventory/bulk: up to 500 absolute stock sets. Rows are independent: each valid row
 * is applied exactly once, each invalid one reported with its index and code. Validated here, then
 * the row pipeline of core/rows.ts (the same as CSV uploads): batched reads, transactions of up to
 * 100 actions. A row already at its target quantity is `unchanged` and writes no ledger row, so
 * retrying the same request never books a change twice.
 */
import { DomainError } from './errors.ts';
import type { Actor } from './model.ts';
import { bulkRow, MAX_BULK_UPDATES } from './schemas.ts';
import { toDomainError } from './validate.ts';
import { RowPipeline } from './rows.ts';
import type { PipelineRow } from './rows.ts';

export interface BulkResult {
  index: number;
  sku: string | null;
  warehouse_id: string | null;
  status: 'applied' | 'unchanged' | 'failed';
  error?: { code: string; message: string };
}

/** validate: one JSON row → a pipeline row (its stock write, or why it has none). */
function validate(u: unknown, index: number): PipelineRow {
  const raw = (u ?? {}) as Record<string, unknown>;
  const named = { at: index, sku: typeof raw.sku === 'string' ? raw.sku : null, warehouse_id: typeof raw.warehouse_id === 'string' ? raw.warehouse_id : null };
  const parsed = bulkRow.safeParse(u);
  if (!parsed.success) {
    const e = toDomainError('body', parsed.error, u);
    return { ...named, error: { code: e.code, message: e.message } };
  }
  const r = parsed.data;
  return {
    ...named,
    row: { sku: r.sku, warehouse_id: r.warehouse_id, quantity: r.quantity, reason: r.reason ?? 'bulk_import', note: r.note ?? null, reference: r.reference ?? null, expected_quantity: r.expected_quantity },
  };
}

export async function bulkUpdate(actor: Actor, updates: unknown[]) {
  if (updates.length > MAX_BULK_UPDATES) {
    throw new DomainError('TOO_MANY_UPDATES', `At most ${MAX_BULK_UPDATES} updates per request (got ${updates.length}); nothing was applied`);
  }
  const rows = updates.map(validate);
  let requests = 0;
  await new RowPipeline(actor, { mode: 'set', by: actor.keyName, count: (n) => (requests += n) }).run(rows);
  const results: BulkResult[] = rows.map((r) => {
    const error = r.failure ?? r.error;
    return { index: r.at, sku: r.sku, warehouse_id: r.warehouse_id, status: r.outcome ?? 'failed', ...(r.outcome !== 'applied' && r.outcome !== 'unchanged' && error ? { error } : {}) };
  });
  const count = (s: BulkResult['status']) => results.filter((r) => r.status === s).length;
  return {
    data: { applied: count('applied'), unchanged: count('unchanged'), failed: count('failed'), results },
    requests,
  };
}
