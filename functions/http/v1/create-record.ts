import { defineHandler } from '#edge/http.ts';
import { createdRecord, createRecord } from '#core/records.ts';

export const handler = defineHandler('records.create', async ({ actor, body }) => ({ status: true, data: await createRecord(actor, body) }), {
  replay: async ({ actor, body }) => ({ status: true, data: await createdRecord(actor, body) }),
});
