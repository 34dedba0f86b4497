import { defineHandler } from '#edge/http.ts';
import { holdsCreate } from '#routes';
import { createHold, getHold } from '#core/holds.ts';

export const handler = defineHandler(holdsCreate)(async ({ actor, body }) => ({ data: await createHold(actor, body) }), {
  // answered again when the first answer was not kept: the hold as it is now
  replay: async ({ actor }, ref) => ({ data: await getHold(actor, ref!) }),
});
