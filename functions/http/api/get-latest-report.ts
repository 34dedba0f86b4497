import { defineHandler } from '#edge/http.ts';
import { reportsLatest } from '#routes';
import { reportFor } from '#core/reports.ts';

export const handler = defineHandler(reportsLatest)(async ({ actor, query }) => reportFor(actor, 'latest', query.format));
