import { defineHandler } from '#edge/http.ts';
import { adminVariantsBatch } from '#routes';
import { batchedLinks, batchLinks } from '#core/variants.ts';

/** Medusa's `{ created, updated, deleted }` of link definitions; a replay answers the same from the request. */
export const handler = defineHandler(adminVariantsBatch)(async ({ actor, params, body }) => batchLinks(actor, params.id, body), {
  replay: ({ body }) => batchedLinks(body),
});
