import { defineHandler } from '#edge/http.ts';
import { adminItemsGet } from '#routes';
import { getItem } from '#core/items.ts';
import { fieldTree, ITEM_DEFAULTS, ITEM_MODEL, select } from '#core/fields.ts';

export const handler = defineHandler(adminItemsGet)(async ({ actor, params, query }) => {
  const tree = fieldTree(ITEM_DEFAULTS, query.fields, ITEM_MODEL);
  return { inventory_item: select(await getItem(actor, params.id, { read: true }), tree, ITEM_MODEL) as { id: string } };
});
