import { defineHandler } from '#edge/http.ts';
import { transfersClose } from '#routes';
import { close, readTransfer } from '#core/transfers.ts';

export const handler = defineHandler(transfersClose)(
  async ({ actor, params }) => ({ data: await close(actor, params.id) }),
  // answered again when the first answer was not kept: the transfer as it is now
  { replay: async ({ actor, params }) => ({ data: await readTransfer(actor, params.id) }) },
);
