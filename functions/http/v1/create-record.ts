import { defineHandler } from '#edge/http.ts';
import { createRecord } from '#core/records.ts';

export const handler = defineHandler('records.create', async ({ actor, body }) => ({ status: true, data: await createRecord(actor, body) }));
