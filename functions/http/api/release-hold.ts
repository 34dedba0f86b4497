import { defineHandler } from '#edge/http.ts';
import { releaseHold } from '#core/holds.ts';

export const handler = defineHandler('holds.release', async ({ actor, params }) => ({ data: await releaseHold(actor, params.id) }));
