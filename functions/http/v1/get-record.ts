import { defineHandler } from '#edge/http.ts';
import { recordsGet } from '#routes';
import { getRecord } from '#core/records.ts';

export const handler = defineHandler(recordsGet)(async ({ actor, params }) => ({ status: true, data: await getRecord(actor, params.id) }));
