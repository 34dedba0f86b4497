import { defineHandler } from '#edge/http.ts';
import { reportsGet } from '#routes';
import { reportFor } from '#core/reports.ts';

export const handler = defineHandler(reportsGet)(async ({ actor, params, query }) => reportFor(actor, params.id, query.format));
