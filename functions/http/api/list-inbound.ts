import { defineHandler } from '#edge/http.ts';
import { inboundList } from '#routes';
import { listInbound } from '#core/inbound.ts';

export const handler = defineHandler(inboundList)(async ({ actor, query }) => listInbound(actor, query));
