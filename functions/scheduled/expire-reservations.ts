/**
 * Scheduled (every minute deployed; every INVENTORY_SWEEP_INTERVAL seconds locally): release expired
 * reservations, then re-plan (or release) the future holds promised on inbound lines that are late.
 */
import { count, instrumented, logger } from '#edge/observability.ts';
import { releaseExpired } from '#core/reservations.ts';
import { replanLate } from '#core/promises.ts';
import { publish } from '#edge/publisher.ts';
import { tenants } from '#store/reports.ts';

export const handler = instrumented('ExpireReservations', async (): Promise<{ released: number; replanned: number }> => {
  let released = 0;
  let replanned = 0;
  let failed = 0;
  for (const tenant of await tenants()) {
    try {
      released += await releaseExpired(tenant);
      const events = await replanLate(tenant);
      replanned += events.length;
      await publish(events);
    } catch (err) {
      failed++;
      logger.error('expiry sweep failed', { tenant, error: err as Error });
    }
  }
  count('ReservationsExpired', released);
  count('FutureHoldsReplanned', replanned);
  if (failed) throw new Error(`the expiry sweep failed for ${failed} tenant(s)`);
  return { released, replanned };
});
