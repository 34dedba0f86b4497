import { defineHandler } from '#edge/http.ts';
import { inboundCreate } from '#routes';
import { createInbound, getInbound } from '#core/inbound.ts';

export const handler = defineHandler(inboundCreate)(async ({ actor, body }) => ({ data: await createInbound(actor, body) }), {
  // answered again when the first answer was not kept: the record as it is now
  replay: async ({ actor }, ref) => ({ data: await getInbound(actor, ref!) }),
});
