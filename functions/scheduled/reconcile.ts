/**
 * Scheduled (daily when deployed): reconcile every tenant in report mode; drifts are published,
 * nothing is changed. Tenants are walked TENANTS_AT_ONCE at a time, so many small tenants fit in
 * one run of the function (each tenant's reads are sequential pages of its own partitions).
 */
import { count, instrumented, logger } from '#edge/observability.ts';
import { reconcile } from '#core/reconcile.ts';
import { publish } from '#edge/publisher.ts';
import { tenants } from '#store/reports.ts';
import { inParallel } from '#core/parallel.ts';

const TENANTS_AT_ONCE = 8;

export const handler = instrumented('Reconcile', async (): Promise<{ tenants: number; drifts: number }> => {
  let drifts = 0;
  let failed = 0;
  const all = await tenants();
  await inParallel(
    all,
    async (tenant) => {
      try {
        const out = await reconcile(tenant, { repair: false, by: 'reconcile-schedule', publish });
        drifts += out.drifts.length;
        if (out.drifts.length) logger.warn('drift detected', { tenant, drifts: out.drifts.length });
      } catch (err) {
        failed++;
        logger.error('reconcile failed', { tenant, error: err as Error });
      }
    },
    TENANTS_AT_ONCE,
  );
  count('DriftsDetected', drifts);
  if (failed) throw new Error(`reconcile failed for ${failed} of ${all.length} tenant(s)`);
  return { tenants: all.length, drifts };
});
