import { defineHandler } from '#edge/http.ts';
import { transfersReceive } from '#routes';
import { readTransfer, receive } from '#core/transfers.ts';

export const handler = defineHandler(transfersReceive)(
  async ({ actor, params, body }) => ({ data: await receive(actor, params.id, body) }),
  // answered again when the first answer was not kept: the transfer as it is now
  { replay: async ({ actor, params }) => ({ data: await readTransfer(actor, params.id) }) },
);
