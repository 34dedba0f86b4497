import { defineHandler } from '#edge/http.ts';
import { reportFor } from '#core/reports.ts';

export const handler = defineHandler('reports.get', async ({ actor, params, query }) => reportFor(actor, params.id, query.format));
