import { defineHandler } from '#edge/http.ts';
import { inboundCancel } from '#routes';
import { cancelInboundLine, getInbound } from '#core/inbound.ts';

export const handler = defineHandler(inboundCancel)(
  async ({ actor, params, body }) => ({ data: await cancelInboundLine(actor, params.id, params.line, body) }),
  { replay: async ({ actor, params }) => ({ data: await getInbound(actor, params.id) }) },
);
