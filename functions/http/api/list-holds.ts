import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { listHolds } from '#core/holds.ts';

export const handler = defineHandler(route['holds.list'])(async ({ actor, query }) => ({ data: await listHolds(actor, query.reference) }));
