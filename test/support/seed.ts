/**
 * Fixture catalogues for tests whose subject is not how the catalogue was made (a 500-row bulk, a
 * page at 500 SKUs): the items and levels are written in this process by the service's own writes
 * — core createItem (item + sku guard transaction, then the stats row) and store createLevel (the
 * level, the item's level_seq, the warehouse's level-count shard and the ledger row, in one
 * transaction) — against the run's DynamoDB Local through the front, as any test's client.
 *
 * Not over HTTP: a level created through `POST /admin/inventory-items/{id}/location-levels` also
 * costs the authorizer, the handler and the item read of the answer, and DynamoDB Local's CPU is
 * what a 2-core run waits for; this costs each item 2 requests and each level 3.
 */
import { createItem } from '../../functions/core/items.ts';
import type { Actor, InventoryItem } from '../../functions/core/model.ts';
import { SCOPES } from '../../functions/core/model.ts';
import type { CreateItemInput } from '../../functions/core/schemas.ts';
import { createLevel } from '../../functions/store/levels.ts';
import type { NewLevel } from '../../functions/store/levels.ts';
import { inParallel } from './parallel.ts';

/** An actor of `tenant` with every scope (the ledger's created_by is `by`). */
export const seedActor = (tenant: string, by = 'seed'): Actor => ({ tenant, keyId: `key_${by}`, keyName: by, scopes: [...SCOPES] });

export interface SeedItem extends CreateItemInput {
  /** The item's levels, created after it, one after another (they share the item's row). */
  levels?: NewLevel[];
}

/**
 * Create `count` items, `make(i)` each (with its levels), a few items at a time; answers the items
 * in order of `i`.
 */
export async function seedItems(actor: Actor, count: number, make: (i: number) => SeedItem, width = 8): Promise<InventoryItem[]> {
  const items: InventoryItem[] = new Array(count);
  await inParallel(
    count,
    async (i) => {
      const { levels = [], ...input } = make(i);
      const item = await createItem(actor, input);
      for (const level of levels) await createLevel({ tenant: actor.tenant, by: actor.keyName, now: new Date().toISOString() }, item.id, level);
      items[i] = item;
    },
    width,
  );
  return items;
}
