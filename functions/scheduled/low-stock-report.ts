/** Scheduled (daily when deployed; every INVENTORY_REPORT_INTERVAL seconds locally): a low-stock report per tenant. */
import { count, instrumented, logger } from '#edge/observability.ts';
import { generateReport } from '#core/reports.ts';
import { tenants } from '#store/reports.ts';
import { publish } from '#edge/publisher.ts';

export const handler = instrumented('LowStockReport', async (): Promise<{ reports: number; failed: number }> => {
  let reports = 0;
  let failed = 0;
  for (const tenant of await tenants()) {
    try {
      await generateReport(tenant, publish);
      reports++;
    } catch (err) {
      // one tenant's failure does not stop the others; the run reports it (and the alarm sees the error log)
      failed++;
      logger.error('low-stock report failed', { tenant, error: err as Error });
    }
  }
  count('LowStockReports', reports);
  count('LowStockReportFailures', failed);
  if (failed) throw new Error(`${failed} of ${reports + failed} low-stock reports failed`);
  return { reports, failed };
});
