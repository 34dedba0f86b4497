import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { reportNow } from '#core/reports.ts';

export const handler = defineHandler(route['reports.create'])(async ({ actor }) => reportNow(actor));
