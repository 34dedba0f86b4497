import { defineHandler } from '#edge/http.ts';
import { reconcileRun } from '#routes';
import { reconcileAs } from '#core/reconcile.ts';
import { publish } from '#edge/publisher.ts';

export const handler = defineHandler(reconcileRun)(async ({ actor, body }) => ({ data: await reconcileAs(actor, body, publish) }));
