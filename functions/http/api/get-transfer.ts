import { defineHandler } from '#edge/http.ts';
import { transfersGet } from '#routes';
import { readTransfer } from '#core/transfers.ts';

export const handler = defineHandler(transfersGet)(async ({ actor, params }) => ({ data: await readTransfer(actor, params.id) }));
