import { defineHandler } from '#edge/http.ts';
import { holdsList } from '#routes';
import { listHolds } from '#core/holds.ts';

export const handler = defineHandler(holdsList)(async ({ actor, query }) => ({ data: await listHolds(actor, query.reference) }));
