import { defineHandler } from '#edge/http.ts';
import { listHolds } from '#core/holds.ts';

export const handler = defineHandler('holds.list', async ({ actor, query }) => ({ data: await listHolds(actor, query.reference) }));
