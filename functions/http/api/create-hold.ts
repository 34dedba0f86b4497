import { defineHandler } from '#edge/http.ts';
import { createHold } from '#core/holds.ts';

export const handler = defineHandler('holds.create', async ({ actor, body }) => ({ data: await createHold(actor, body) }));
