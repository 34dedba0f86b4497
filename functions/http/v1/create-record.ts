import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { createdRecord, createRecord } from '#core/records.ts';

export const handler = defineHandler(route['records.create'])(async ({ actor, body }) => ({ status: true, data: await createRecord(actor, body) }), {
  replay: async ({ actor, body }) => ({ status: true, data: await createdRecord(actor, body) }),
});
