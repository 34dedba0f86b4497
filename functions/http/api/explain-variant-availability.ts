import { defineHandler } from '#edge/http.ts';
import { variantsAvailability } from '#routes';
import { explainVariant } from '#core/explain.ts';

export const handler = defineHandler(variantsAvailability)(async ({ actor, params, query }) => ({
  data: await explainVariant(actor, params.product_id, params.variant_id, query),
}));
