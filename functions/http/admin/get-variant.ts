import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { getVariant } from '#core/variants.ts';

export const handler = defineHandler(route['admin.variants.get'])(async ({ actor, params }) => ({
  variant: await getVariant(actor, params.id, params.variant_id),
}));
