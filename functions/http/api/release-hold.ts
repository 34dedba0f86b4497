import { defineHandler } from '#edge/http.ts';
import { holdsRelease } from '#routes';
import { releaseHold } from '#core/holds.ts';

export const handler = defineHandler(holdsRelease)(async ({ actor, params }) => ({ data: await releaseHold(actor, params.id) }));
