import { defineHandler } from '#edge/http.ts';
import { reconcile } from '#core/reconcile.ts';

export const handler = defineHandler('reconcile.run', async ({ actor, body }) => ({ data: await reconcile(actor.tenant, { sku: body?.sku, repair: body?.repair ?? false, by: actor.keyName }) }));
