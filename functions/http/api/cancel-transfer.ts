import { defineHandler } from '#edge/http.ts';
import { transfersCancel } from '#routes';
import { cancel, readTransfer } from '#core/transfers.ts';

export const handler = defineHandler(transfersCancel)(
  async ({ actor, params }) => ({ data: await cancel(actor, params.id) }),
  // answered again when the first answer was not kept: the transfer as it is now
  { replay: async ({ actor, params }) => ({ data: await readTransfer(actor, params.id) }) },
);
