import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { reportFor } from '#core/reports.ts';

export const handler = defineHandler(route['reports.get'])(async ({ actor, params, query }) => reportFor(actor, params.id, query.format));
