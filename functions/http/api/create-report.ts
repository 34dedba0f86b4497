import { defineHandler } from '#edge/http.ts';
import { reportNow } from '#core/reports.ts';

export const handler = defineHandler('reports.create', async ({ actor }) => reportNow(actor));
