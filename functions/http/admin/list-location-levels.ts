import { defineHandler } from '#edge/http.ts';
import { adminLevelsList } from '#routes';
import { getItem } from '#core/items.ts';

export const handler = defineHandler(adminLevelsList)(async ({ actor, params }) => {
  const item = await getItem(actor, params.id);
  return { inventory_item: { id: item.id, location_levels: item.location_levels } };
});
