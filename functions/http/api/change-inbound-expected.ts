import { defineHandler } from '#edge/http.ts';
import { publish } from '#edge/publisher.ts';
import { inboundExpected } from '#routes';
import { changeExpectedAt, getInbound, settleLine } from '#core/inbound.ts';

export const handler = defineHandler(inboundExpected)(
  async ({ actor, params, body }) => ({ data: await changeExpectedAt(actor, params.id, params.line, body, publish) }),
  {
    // a retry whose first answer was not kept: the line's holds settled (nothing to do if they were), the record as it is now
    replay: async ({ actor, params }) => {
      await settleLine(actor, params.id, params.line, publish);
      return { data: await getInbound(actor, params.id) };
    },
  },
);
