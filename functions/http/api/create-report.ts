import { defineHandler } from '#edge/http.ts';
import { reportsCreate } from '#routes';
import { reportNow } from '#core/reports.ts';
import { publish } from '#edge/publisher.ts';

export const handler = defineHandler(reportsCreate)(async ({ actor }) => reportNow(actor, publish));
