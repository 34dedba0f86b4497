/**
 * Reconcile: every level's reserved quantity against the sum of its open reservations, its
 * available quantity against stocked − reserved − safety stock, and its stocked quantity against
 * the sum of its ledger. Report mode changes nothing; repair corrects under guards. Each drift is
 * published as `inventory.level.drift_detected`.
 *
 * Order of reads matters: levels first, then reservations. A reservation made or released in
 * between moves the level's reserved quantity, so the repair's guard (level still as read) fails
 * and that level is left alone. A repair also re-reads the item and its reservations and repairs
 * only a drift seen twice.
 */
import { notFound } from './errors.ts';
import { mayWriteEverywhere } from './access.ts';
import type { Actor } from './model.ts';
import { expectedAvailable } from './model.ts';
import type { Level } from './model.ts';
import { itemIdBySku, listItemIds, loadItem } from '../store/items.ts';
import type { ItemRecord } from '../store/items.ts';
import { ledgerSums, openReservedByLevel, repairLedger, repairLevel } from '../store/reconcile.ts';
import type { InventoryEvent, Publish } from './events.ts';

export interface Drift {
  inventory_item_id: string;
  sku: string | null;
  warehouse_id: string;
  kind: 'reserved' | 'available' | 'ledger';
  recorded: number;
  expected: number;
  repaired: boolean;
  note?: string;
}

export interface ReconcileResult {
  levels_checked: number;
  reservations_counted: number;
  repair: boolean;
  drifts: Drift[];
}

/** Drifts of one level (pure): reserved vs the reservations, available vs the formula, stocked vs the ledger. */
export function levelDrifts(l: Level, openReserved: number, ledgerSum: number | undefined): Omit<Drift, 'repaired'>[] {
  const base = { inventory_item_id: l.inventory_item_id, sku: l.sku, warehouse_id: l.location_id };
  const out: Omit<Drift, 'repaired'>[] = [];
  if (l.reserved_quantity !== openReserved) out.push({ ...base, kind: 'reserved', recorded: l.reserved_quantity, expected: openReserved });
  const formula = expectedAvailable(l);
  if (l.available_quantity !== formula) out.push({ ...base, kind: 'available', recorded: l.available_quantity, expected: formula });
  if (ledgerSum !== undefined && ledgerSum !== l.stocked_quantity) out.push({ ...base, kind: 'ledger', recorded: l.stocked_quantity, expected: ledgerSum });
  return out;
}

export async function reconcile(tenant: string, opts: { sku?: string; repair: boolean; by: string; publish: Publish }): Promise<ReconcileResult> {
  const now = new Date().toISOString();
  let iids: string[];
  if (opts.sku !== undefined) {
    const iid = await itemIdBySku(tenant, opts.sku);
    if (!iid) throw notFound('Inventory item with sku', opts.sku, 'INVENTORY_NOT_FOUND');
    iids = [iid];
  } else {
    iids = await listItemIds(tenant);
  }
  // levels first (see above), a few items at a time
  const recs: ItemRecord[] = [];
  for (let i = 0; i < iids.length; i += 10) {
    for (const rec of await Promise.all(iids.slice(i, i + 10).map((iid) => loadItem(tenant, iid)))) if (rec) recs.push(rec);
  }
  const open = await openReservedByLevel(tenant, opts.sku !== undefined ? iids[0] : undefined);
  const drifts: Drift[] = [];
  let levels = 0;
  for (const rec of recs) {
    const ledger = await ledgerSums(tenant, rec.item.id);
    for (const l of rec.levels) {
      levels++;
      // a hot level's reservations still pending in its escrow maps are reserved, and not yet rows
      const found = levelDrifts(
        l,
        (open.sums.get(`${l.inventory_item_id} ${l.location_id}`) ?? 0) + (rec.levelPending[l.location_id] ?? 0),
        ledger.get(l.location_id) ?? 0,
      );
      if (!found.length) continue;
      let repairedLevel = false;
      let repairedLedger = false;
      let note: string | undefined;
      if (opts.repair) {
        // seen twice: re-read the level and its item's reservations, repair what still drifts; the
        // index and the level are both read after `indexReadAt` (the repair's quiet window counts from it)
        const indexReadAt = new Date().toISOString();
        const again = await loadItem(tenant, rec.item.id);
        const l2 = again?.levels.find((x) => x.location_id === l.location_id);
        const open2 =
          ((await openReservedByLevel(tenant, rec.item.id)).sums.get(`${l.inventory_item_id} ${l.location_id}`) ?? 0) +
          (again?.levelPending[l.location_id] ?? 0);
        if (!l2) note = 'the level went meanwhile';
        else {
          const now2 = levelDrifts(l2, open2, ledger.get(l.location_id) ?? 0);
          if (now2.some((d) => d.kind === 'reserved' || d.kind === 'available')) {
            const outcome = await repairLevel(tenant, l2, open2, now, indexReadAt);
            repairedLevel = outcome === 'repaired';
            if (outcome === 'moved') note = 'the level changed while it was being repaired: run reconcile again';
            if (outcome === 'recent')
              note = 'the level changed too recently for the reservation index to be trusted (it is eventually consistent): run reconcile again later';
          }
          if (now2.some((d) => d.kind === 'ledger')) {
            repairedLedger = await repairLedger({ tenant, by: opts.by, now }, l2, again!.levelVersions[l.location_id], ledger.get(l.location_id) ?? 0);
            if (!repairedLedger) note = 'the level changed while it was being repaired: run reconcile again';
          }
        }
      }
      for (const d of found) drifts.push({ ...d, repaired: d.kind === 'ledger' ? repairedLedger : repairedLevel, ...(note ? { note } : {}) });
    }
  }
  await opts.publish(
    drifts.map(
      (d): InventoryEvent => ({
        id: `drift-${tenant}-${d.inventory_item_id}-${d.warehouse_id}-${d.kind}-${now}`,
        type: 'inventory.level.drift_detected',
        time: now,
        detail: { tenant_id: tenant, ...d, at: now },
      }),
    ),
  );
  return { levels_checked: levels, reservations_counted: open.count, repair: opts.repair, drifts };
}

/** POST /api/reconcile: tenant-wide, so a warehouse-limited key may not run it. */
export async function reconcileAs(actor: Actor, body: { sku?: string; repair?: boolean } | undefined, publish: Publish): Promise<ReconcileResult> {
  mayWriteEverywhere(actor, 'reconcile the whole tenant');
  return reconcile(actor.tenant, { sku: body?.sku, repair: body?.repair ?? false, by: actor.keyName, publish });
}
