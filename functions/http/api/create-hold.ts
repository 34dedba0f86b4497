import { defineHandler } from '#edge/http.ts';
import { holdsCreate } from '#routes';
import { createHold } from '#core/holds.ts';

export const handler = defineHandler(holdsCreate)(async ({ actor, body }) => ({ data: await createHold(actor, body) }));
