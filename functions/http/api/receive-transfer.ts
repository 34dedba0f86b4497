import { defineHandler } from '#edge/http.ts';
import { transfersReceive } from '#routes';
import { readTransfer, receive, transferEvent } from '#core/transfers.ts';
import { publish } from '#edge/publisher.ts';

export const handler = defineHandler(transfersReceive)(
  async ({ actor, params, body }) => {
    const t = await receive(actor, params.id, body);
    await publish([transferEvent(t)]);
    return { data: t };
  },
  // answered again when the first answer was not kept: the transfer as it is now
  { replay: async ({ actor, params }) => ({ data: await readTransfer(actor, params.id) }) },
);
