import { defineHandler } from '#edge/http.ts';
import { adminVariantsGet } from '#routes';
import { getVariant } from '#core/variants.ts';

export const handler = defineHandler(adminVariantsGet)(async ({ actor, params }) => ({
  variant: await getVariant(actor, params.id, params.variant_id),
}));
