import { defineHandler } from '#edge/http.ts';
import { transfersCreate } from '#routes';
import { createDraft, readTransfer, transferEvent } from '#core/transfers.ts';
import { publish } from '#edge/publisher.ts';

export const handler = defineHandler(transfersCreate)(
  async ({ actor, body }) => {
    const t = await createDraft(actor, body);
    await publish([transferEvent(t)]);
    return { data: t };
  },
  // answered again when the first answer was not kept: the transfer as it is now
  { replay: async ({ actor }, ref) => ({ data: await readTransfer(actor, ref!) }) },
);
