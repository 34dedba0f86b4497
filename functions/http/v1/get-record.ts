import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { getRecord } from '#core/records.ts';

export const handler = defineHandler(route['records.get'])(async ({ actor, params }) => ({ status: true, data: await getRecord(actor, params.id) }));
