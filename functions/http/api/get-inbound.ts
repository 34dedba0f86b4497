import { defineHandler } from '#edge/http.ts';
import { inboundGet } from '#routes';
import { getInbound } from '#core/inbound.ts';

export const handler = defineHandler(inboundGet)(async ({ actor, params }) => ({ data: await getInbound(actor, params.id) }));
