import { defineHandler } from '#edge/http.ts';
import { recordsCreate } from '#routes';
import { createdRecord, createRecord } from '#core/records.ts';

export const handler = defineHandler(recordsCreate)(async ({ actor, body }) => ({ status: true, data: await createRecord(actor, body) }), {
  replay: async ({ actor, body }) => ({ status: true, data: await createdRecord(actor, body) }),
});
