import { defineHandler } from '#edge/http.ts';
import { adminItemsCreate } from '#routes';
import { createItem, getItem, withLevels } from '#core/items.ts';
import { createItemWithLevels } from '#core/levels.ts';
import { fieldTree, ITEM_DEFAULTS, ITEM_MODEL, select } from '#core/fields.ts';

/**
 * Medusa's answer: the item with its sums and levels, or as `fields` asks. With Medusa's
 * `location_levels`, the item and its levels in one all-or-nothing write.
 */
export const handler = defineHandler(adminItemsCreate)(
  async ({ actor, body, query }) => {
    const tree = fieldTree(ITEM_DEFAULTS, query.fields, ITEM_MODEL); // a bad `fields` refuses the request before it writes
    const made = body.location_levels?.length ? await createItemWithLevels(actor, body) : withLevels(await createItem(actor, body), []);
    return { inventory_item: select(made, tree, ITEM_MODEL) as { id: string } };
  },
  {
    replay: async ({ actor, query }, ref) => ({
      inventory_item: select(await getItem(actor, ref!), fieldTree(ITEM_DEFAULTS, query.fields, ITEM_MODEL), ITEM_MODEL) as { id: string },
    }),
  },
);
