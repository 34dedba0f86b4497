import { defineHandler } from '#edge/http.ts';
import { adminItemsList } from '#routes';
import { listItems } from '#core/items.ts';
import { fieldTree, ITEM_DEFAULTS, ITEM_MODEL, select, showsField, showsRelation } from '#core/fields.ts';

export const handler = defineHandler(adminItemsList)(async ({ actor, query }) => {
  const tree = fieldTree(ITEM_DEFAULTS, query.fields, ITEM_MODEL);
  // the levels are read only when shown, or when the aggregates (sums over them) are
  const withLevels = showsRelation(tree, 'location_levels') || showsField(tree, 'stocked_quantity') || showsField(tree, 'reserved_quantity');
  const { items, count } = await listItems(actor, { ...query, withLevels });
  return { inventory_items: items.map((i) => select(i, tree, ITEM_MODEL) as { id: string }), count, offset: query.offset, limit: query.limit };
});
