import { defineHandler } from '#edge/http.ts';
import { getHold } from '#core/holds.ts';

export const handler = defineHandler('holds.get', async ({ actor, params }) => ({ data: await getHold(actor, params.id) }));
