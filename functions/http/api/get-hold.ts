import { defineHandler } from '#edge/http.ts';
import { holdsGet } from '#routes';
import { getHold } from '#core/holds.ts';

export const handler = defineHandler(holdsGet)(async ({ actor, params }) => ({ data: await getHold(actor, params.id) }));
