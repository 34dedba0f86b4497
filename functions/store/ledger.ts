import type { Adjustment, AdjustmentReason } from '../core/model.ts';
import { newId } from '../core/ids.ts';
import { tableName } from './db.ts';
import type { TxAction } from './db.ts';
import { keys } from './keys.ts';

export interface LedgerEntry {
  tenant: string;
  sku: string | null;
  inventory_item_id: string;
  warehouse_id: string;
  field: Adjustment['field'];
  before: number;
  after: number;
  reason: AdjustmentReason;
  note?: string | null;
  reference?: string | null;
  created_by: string;
  at: string;
}

/** The ledger Put that travels in the same transaction as the quantity change it records. */
export function ledgerPut(e: LedgerEntry): TxAction {
  const id = newId('adj');
  const row: Adjustment & Record<string, unknown> = {
    ...keys.ledger(e.tenant, e.inventory_item_id, e.at, id),
    entity: 'adjustment',
    id,
    sku: e.sku,
    inventory_item_id: e.inventory_item_id,
    warehouse_id: e.warehouse_id,
    field: e.field,
    before_quantity: e.before,
    after_quantity: e.after,
    delta: e.after - e.before,
    reason: e.reason,
    note: e.note ?? null,
    reference: e.reference ?? null,
    created_by: e.created_by,
    created_at: e.at,
  };
  return {
    label: 'ledger',
    item: { Put: { TableName: tableName(), Item: row, ConditionExpression: 'attribute_not_exists(PK)' } },
  };
}
