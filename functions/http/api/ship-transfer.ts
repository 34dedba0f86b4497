import { defineHandler } from '#edge/http.ts';
import { transfersShip } from '#routes';
import { ship, readTransfer } from '#core/transfers.ts';

export const handler = defineHandler(transfersShip)(
  async ({ actor, params }) => ({ data: await ship(actor, params.id) }),
  // answered again when the first answer was not kept: the transfer as it is now
  { replay: async ({ actor, params }) => ({ data: await readTransfer(actor, params.id) }) },
);
