import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { explainVariant } from '#core/explain.ts';

export const handler = defineHandler(route['variants.availability'])(async ({ actor, params, query }) => ({
  data: await explainVariant(actor, params.product_id, params.variant_id, query),
}));
