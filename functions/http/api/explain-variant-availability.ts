import { defineHandler } from '#edge/http.ts';
import { explainVariant } from '#core/explain.ts';

export const handler = defineHandler('variants.availability', async ({ actor, params, query }) => ({
  data: await explainVariant(actor, params.product_id, params.variant_id, query),
}));
