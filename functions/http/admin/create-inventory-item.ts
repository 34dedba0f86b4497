import { defineHandler } from '#edge/http.ts';
import { adminItemsCreate } from '#routes';
import { createItem, getItem, withLevels } from '#core/items.ts';
import { fieldTree, ITEM_DEFAULTS, ITEM_MODEL, select } from '#core/fields.ts';

/** Medusa's answer: the item with its sums and levels (none yet, unless created with them), or as `fields` asks. */
export const handler = defineHandler(adminItemsCreate)(
  async ({ actor, body, query }) => {
    const tree = fieldTree(ITEM_DEFAULTS, query.fields, ITEM_MODEL); // a bad `fields` refuses the request before it writes
    const made = await createItem(actor, body);
    return { inventory_item: select('location_levels' in made ? made : withLevels(made, []), tree, ITEM_MODEL) as { id: string } };
  },
  {
    replay: async ({ actor, query }, ref) => ({
      inventory_item: select(await getItem(actor, ref!), fieldTree(ITEM_DEFAULTS, query.fields, ITEM_MODEL), ITEM_MODEL) as { id: string },
    }),
  },
);
