import { defineHandler } from '#edge/http.ts';
import { inboundReceive } from '#routes';
import { getInbound, receiveInboundLine } from '#core/inbound.ts';

export const handler = defineHandler(inboundReceive)(
  async ({ actor, params, body }) => ({ data: await receiveInboundLine(actor, params.id, params.line, body) }),
  // a keyed receipt applied once; a retry whose answer was not kept: the record as it is now
  { replay: async ({ actor, params }) => ({ data: await getInbound(actor, params.id) }) },
);
