import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { reportFor } from '#core/reports.ts';

export const handler = defineHandler(route['reports.latest'])(async ({ actor, query }) => reportFor(actor, 'latest', query.format));
