/**
 * Optimistic retry: `attempt` returns a value, or `RETRY` when what it read moved underneath it (the
 * store's guarded write was refused). Bounded, with jittered backoff; beyond that a 409 CONFLICT the
 * caller may send again.
 */
import { DomainError } from './errors.ts';

/** The answer when a record keeps changing past the retries (409 CONFLICT: the caller may send it again). */
export const changingTooFast = () => new DomainError('CONFLICT', 'This record is changing too fast right now: retry the request');

export const RETRY = Symbol('retry');
export async function withRetry<T>(attempt: () => Promise<T | typeof RETRY>, tries = 40): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const result = await attempt();
    if (result !== RETRY) return result;
    await new Promise((r) => setTimeout(r, Math.random() * Math.min(100, 2 ** i)));
  }
  throw changingTooFast();
}
