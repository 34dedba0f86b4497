import { defineHandler } from '#edge/http.ts';
import { shown, VARIANT_DEFAULTS, VARIANT_MODEL } from '#core/fields.ts';
import { adminVariantsGet } from '#routes';
import { getVariant } from '#core/variants.ts';

export const handler = defineHandler(adminVariantsGet)(async ({ actor, params, query }) => ({
  variant: shown(await getVariant(actor, params.id, params.variant_id), query.fields, VARIANT_DEFAULTS, VARIANT_MODEL),
}));
