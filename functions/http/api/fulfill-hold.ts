import { defineHandler } from '#edge/http.ts';
import { fulfillHold } from '#core/holds.ts';

export const handler = defineHandler('holds.fulfill', async ({ actor, params, body }) => ({ data: await fulfillHold(actor, params.id, body?.lines) }));
