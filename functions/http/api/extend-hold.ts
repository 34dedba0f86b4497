import { defineHandler } from '#edge/http.ts';
import { holdsExtend } from '#routes';
import { extendHold } from '#core/holds.ts';

export const handler = defineHandler(holdsExtend)(async ({ actor, params, body }) => ({ data: await extendHold(actor, params.id, body.expires_in_seconds) }));
