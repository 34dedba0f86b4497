import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { reconcileAs } from '#core/reconcile.ts';

export const handler = defineHandler(route['reconcile.run'])(async ({ actor, body }) => ({ data: await reconcileAs(actor, body) }));
