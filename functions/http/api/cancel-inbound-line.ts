import { defineHandler } from '#edge/http.ts';
import { publish } from '#edge/publisher.ts';
import { inboundCancel } from '#routes';
import { cancelInboundLine, getInbound, settleLine } from '#core/inbound.ts';

export const handler = defineHandler(inboundCancel)(
  async ({ actor, params, body }) => ({ data: await cancelInboundLine(actor, params.id, params.line, body, publish) }),
  {
    // a retry whose first answer was not kept: the holds promised on the line settled (nothing to do if they were), the record as it is now
    replay: async ({ actor, params }) => {
      await settleLine(actor, params.id, params.line, publish);
      return { data: await getInbound(actor, params.id) };
    },
  },
);
