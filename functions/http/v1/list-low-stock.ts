import { defineHandler } from '#edge/http.ts';
import { route } from '#routes';
import { lowStockRecords } from '#core/records.ts';

export const handler = defineHandler(route['records.low-stock'])(async ({ actor }) => ({ status: true, data: await lowStockRecords(actor) }));
