import { defineHandler } from '#edge/http.ts';
import { transfersClose } from '#routes';
import { close, readTransfer, transferEvent } from '#core/transfers.ts';
import { publish } from '#edge/publisher.ts';

export const handler = defineHandler(transfersClose)(
  async ({ actor, params }) => {
    const t = await close(actor, params.id);
    await publish([transferEvent(t)]);
    return { data: t };
  },
  // answered again when the first answer was not kept: the transfer as it is now
  { replay: async ({ actor, params }) => ({ data: await readTransfer(actor, params.id) }) },
);
