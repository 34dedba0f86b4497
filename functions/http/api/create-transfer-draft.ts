import { defineHandler } from '#edge/http.ts';
import { transfersCreate } from '#routes';
import { createDraft, readTransfer } from '#core/transfers.ts';

export const handler = defineHandler(transfersCreate)(
  async ({ actor, body }) => ({ data: await createDraft(actor, body) }),
  // answered again when the first answer was not kept: the transfer as it is now
  { replay: async ({ actor }, ref) => ({ data: await readTransfer(actor, ref!) }) },
);
