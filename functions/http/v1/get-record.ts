import { defineHandler } from '#edge/http.ts';
import { getRecord } from '#core/records.ts';

export const handler = defineHandler('records.get', async ({ actor, params }) => ({ status: true, data: await getRecord(actor, params.id) }));
