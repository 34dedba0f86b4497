import { defineHandler } from '#edge/http.ts';
import { reconcileAs } from '#core/reconcile.ts';

export const handler = defineHandler('reconcile.run', async ({ actor, body }) => ({ data: await reconcileAs(actor, body) }));
