import { defineHandler } from '#edge/http.ts';
import { transfersCancel } from '#routes';
import { cancel, readTransfer, transferEvent } from '#core/transfers.ts';
import { publish } from '#edge/publisher.ts';

export const handler = defineHandler(transfersCancel)(
  async ({ actor, params }) => {
    const t = await cancel(actor, params.id);
    await publish([transferEvent(t)]);
    return { data: t };
  },
  // answered again when the first answer was not kept: the transfer as it is now
  { replay: async ({ actor, params }) => ({ data: await readTransfer(actor, params.id) }) },
);
