import { defineHandler } from '#edge/http.ts';
import { recordsLowStock } from '#routes';
import { lowStockRecords } from '#core/records.ts';

export const handler = defineHandler(recordsLowStock)(async ({ actor }) => ({ status: true, data: await lowStockRecords(actor) }));
