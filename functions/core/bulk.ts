/**
 * POST /api/inventory/bulk: up to 500 absolute stock sets. Rows are independent: each valid row
 * is applied exactly once, each invalid one reported with its index and code. Reads are batched,
 * writes go in transactions of up to 100 actions; a chunk that fails is retried row by row.
 * A row already at its target quantity is `unchanged` and writes no ledger row, so retrying the
 * same request never books a change twice.
 */
import { DomainError } from './errors.ts';
import type { Actor, Level } from './model.ts';
import { bulkRow, MAX_BULK_UPDATES } from './schemas.ts';
import type { SetStockInput } from './schemas.ts';
import { toDomainError } from './validate.ts';
import { applyStock } from './inventory.ts';
import { writeContext } from './items.ts';
import { keys } from '../store/keys.ts';
import { sees } from './access.ts';
import { applyBulk, asLevel, asWarehouse, batchRows } from '../store/stock.ts';
import type { BulkWrite } from '../store/stock.ts';

export interface BulkResult {
  index: number;
  sku: string | null;
  warehouse_id: string | null;
  status: 'applied' | 'unchanged' | 'failed';
  error?: { code: string; message: string };
}

type Row = SetStockInput & { sku: string };

export async function bulkUpdate(actor: Actor, updates: unknown[]) {
  if (updates.length > MAX_BULK_UPDATES) {
    throw new DomainError('TOO_MANY_UPDATES', `At most ${MAX_BULK_UPDATES} updates per request (got ${updates.length}); nothing was applied`);
  }
  const t = actor.tenant;
  const ctx = writeContext(actor);
  const results: BulkResult[] = updates.map((u, index) => {
    const raw = (u ?? {}) as Record<string, unknown>;
    return { index, sku: typeof raw.sku === 'string' ? raw.sku : null, warehouse_id: typeof raw.warehouse_id === 'string' ? raw.warehouse_id : null, status: 'failed' };
  });
  const fail = (i: number, e: DomainError) => (results[i] = { ...results[i], status: 'failed', error: { code: e.code, message: e.message } });

  // 1. each row on its own
  const valid: { index: number; row: Row }[] = [];
  updates.forEach((u, index) => {
    const parsed = bulkRow.safeParse(u);
    if (parsed.success) valid.push({ index, row: parsed.data });
    else fail(index, toDomainError('body', parsed.error, u));
  });

  // 2. batched reads: sku → item, then the levels and warehouses the rows name
  const guards = await batchRows(valid.map(({ row }) => keys.skuGuard(t, row.sku)));
  const iidBySku = new Map(guards.rows.map((g) => [String(g.PK).slice(String(keys.skuGuard(t, '').PK).length), g.inventory_item_id as string]));
  const located = valid.flatMap(({ index, row }) => {
    const iid = iidBySku.get(row.sku);
    if (!iid) {
      fail(index, new DomainError('INVENTORY_NOT_FOUND', `SKU ${row.sku} has no inventory record`));
      return [];
    }
    return [{ index, row, iid }];
  });
  const [levels, warehouses] = await Promise.all([
    batchRows(located.map(({ iid, row }) => keys.level(t, iid, row.warehouse_id))),
    batchRows(located.map(({ row }) => keys.warehouse(t, row.warehouse_id))),
  ]);
  const levelByKey = new Map(levels.rows.map((r) => [`${r.inventory_item_id}|${r.location_id}`, { level: asLevel(r), version: Number(r.version ?? 1) }]));
  const whById = new Map(warehouses.rows.map((r) => [String(r.id), asWarehouse(r)]));

  // 3. decide each row; rows for one level more than once, and levels to create, go one by one
  const writes: BulkWrite[] = [];
  const oneByOne: { index: number; row: Row }[] = [];
  const seen = new Set<string>();
  for (const { index, row, iid } of located) {
    const wh = whById.get(row.warehouse_id);
    if (!sees(actor, row.warehouse_id)) {
      fail(index, new DomainError('FORBIDDEN_WAREHOUSE', `This API key may not change stock at warehouse ${row.warehouse_id}`));
      continue;
    }
    if (!wh) {
      fail(index, new DomainError('WAREHOUSE_NOT_FOUND', `Warehouse ${row.warehouse_id} does not exist`));
      continue;
    }
    if (wh.is_readonly) {
      fail(index, new DomainError('READONLY_WAREHOUSE', `Warehouse ${row.warehouse_id} is read-only: its stock cannot be changed here`));
      continue;
    }
    const key = `${iid}|${row.warehouse_id}`;
    const found = levelByKey.get(key);
    if (!found || seen.has(key)) {
      oneByOne.push({ index, row });
      continue;
    }
    seen.add(key);
    // already at its target (e.g. a request re-sent after a partial first attempt): unchanged, even
    // when its expected_quantity was the quantity before
    if (found.level.stocked_quantity === row.quantity) {
      results[index] = { ...results[index], status: 'unchanged' };
      continue;
    }
    if (row.expected_quantity !== undefined && row.expected_quantity !== found.level.stocked_quantity) {
      fail(index, new DomainError('QUANTITY_MISMATCH', `expected_quantity ${row.expected_quantity} does not match the current stocked quantity ${found.level.stocked_quantity}`));
      continue;
    }
    writes.push({
      index,
      level: { ...found.level, sku: row.sku } as Level,
      version: found.version,
      quantity: row.quantity,
      reason: row.reason ?? 'bulk_import',
      note: row.note,
      reference: row.reference,
      expected: row.expected_quantity,
    });
  }

  // 4. transactions of up to 100 actions; a failed chunk's rows go one by one
  const out = await applyBulk(ctx, writes);
  for (const i of out.applied) results[i] = { ...results[i], status: 'applied' };
  const retry = new Set(out.failed);
  for (const { index, row } of valid) if (retry.has(index)) oneByOne.push({ index, row });
  oneByOne.sort((a, b) => a.index - b.index);
  for (const { index, row } of oneByOne) {
    try {
      const outcome = await applyStock(actor, row.sku, { ...row, reason: row.reason ?? 'bulk_import' }, { skipIfAt: true });
      results[index] = { ...results[index], status: outcome };
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      fail(index, err);
    }
  }
  const count = (s: BulkResult['status']) => results.filter((r) => r.status === s).length;
  return {
    data: { applied: count('applied'), unchanged: count('unchanged'), failed: count('failed'), results },
    requests: guards.requests + levels.requests + warehouses.requests + out.requests,
  };
}
