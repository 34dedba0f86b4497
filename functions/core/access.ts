/**
 * Per-warehouse keys: a key with `warehouse_ids` writes only to those warehouses (others → 403
 * FORBIDDEN_WAREHOUSE) and sees only them in reads (others are simply absent, or 404).
 */
import { DomainError } from './errors.ts';
import type { Actor, Level } from './model.ts';

export const restricted = (actor: Actor) => !!actor.warehouseIds?.length;

export const sees = (actor: Actor, wid: string) => !restricted(actor) || actor.warehouseIds!.includes(wid);

export function mayWrite(actor: Actor, ...wids: string[]): void {
  for (const wid of wids) {
    if (!sees(actor, wid)) {
      throw new DomainError('FORBIDDEN_WAREHOUSE', `This API key may not change stock at warehouse ${wid}`);
    }
  }
}

/** Writes that are not about one warehouse (creating a warehouse, an item-wide delete) need an unrestricted key. */
export function mayWriteEverywhere(actor: Actor, what: string): void {
  if (restricted(actor)) throw new DomainError('FORBIDDEN_WAREHOUSE', `This API key is limited to some warehouses and may not ${what}`);
}

export const visibleLevels = <L extends Pick<Level, 'location_id'>>(actor: Actor, levels: L[]) =>
  restricted(actor) ? levels.filter((l) => sees(actor, l.location_id)) : levels;
