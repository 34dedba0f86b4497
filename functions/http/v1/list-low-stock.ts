import { defineHandler } from '#edge/http.ts';
import { lowStockRecords } from '#core/records.ts';

export const handler = defineHandler('records.low-stock', async ({ actor }) => ({ status: true, data: await lowStockRecords(actor) }));
