import { defineHandler } from '#edge/http.ts';
import { transfersList } from '#routes';
import { listAll } from '#core/transfers.ts';

export const handler = defineHandler(transfersList)(async ({ actor, query }) => listAll(actor, query));
