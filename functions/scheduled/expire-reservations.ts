/** Scheduled (every minute deployed; every INVENTORY_SWEEP_INTERVAL seconds locally): release expired reservations. */
import { count, instrumented, logger } from '#edge/observability.ts';
import { releaseExpired } from '#core/reservations.ts';
import { tenants } from '#store/reports.ts';

export const handler = instrumented('ExpireReservations', async (): Promise<{ released: number }> => {
  let released = 0;
  let failed = 0;
  for (const tenant of await tenants()) {
    try {
      released += await releaseExpired(tenant);
    } catch (err) {
      failed++;
      logger.error('expiry sweep failed', { tenant, error: err as Error });
    }
  }
  count('ReservationsExpired', released);
  if (failed) throw new Error(`the expiry sweep failed for ${failed} tenant(s)`);
  return { released };
});
