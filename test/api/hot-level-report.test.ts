/**
 * The scheduled low-stock report over a tenant whose flagged level is in hot mode, under the report
 * function's own grants: a hot level is shown with its shards read (store/levels.ts shownLevels →
 * readHot, a consistent GetItem of the level, then a BatchGet of the shards). The report lacked the
 * GetItem grant, so one such tenant failed the whole scheduled run's count (found by CI: "1 of 546
 * low-stock reports failed").
 */
import { generateReport } from '../../functions/core/reports.ts';
import { runAs } from '../../functions/store/db.ts';
import { settleHotLevel } from '../../functions/store/levels.ts';
import { startApi } from '../support/api.ts';
import type { Api } from '../support/api.ts';

let api: Api;
beforeAll(async () => {
  api = await startApi({ stream: true });
});
afterAll(() => api.close());

test("a hot level flagged low is reported with its exact figures, under the report function's grants", async () => {
  const wid = (await api.post('/api/warehouses', { name: 'R' })).body.data.id as string;
  const iid = (await api.post('/admin/inventory-items', { sku: `RH-${Date.now()}` })).body.inventory_item.id as string;
  expect((await api.post(`/admin/inventory-items/${iid}/location-levels`, { location_id: wid, stocked_quantity: 3, reorder_level: 5 })).status).toBe(200);
  await api.settle();
  expect((await api.post(`/admin/inventory-items/${iid}/location-levels/${wid}`, { hot_shards: 2 })).status).toBe(200);
  await runAs('StreamConsumer', () => settleHotLevel(api.tenant, iid, wid, new Date().toISOString()));
  await api.settle();
  const out = await runAs('LowStockReport', () => generateReport(api.tenant, async () => {}));
  // its 3 units parked in the shards are free stock, not reserved
  expect(out.data).toEqual([expect.objectContaining({ stocked: 3, reserved: 0, available: 3, reorder_level: 5, status: 'low' })]);
});
