import { defineHandler } from '#edge/http.ts';
import { reportFor } from '#core/reports.ts';

export const handler = defineHandler('reports.latest', async ({ actor, query }) => reportFor(actor, 'latest', query.format));
