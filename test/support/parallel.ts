import { inParallel as each } from '../../functions/core/parallel.ts';

/**
 * Fixture set-up a few at a time: `run(i)` for i in [0, count), at most `width` in flight. The
 * 2-core machine runs DynamoDB Local too, so a little parallelism pays and a lot does not.
 */
export function inParallel(count: number, run: (i: number) => Promise<void>, width = 8): Promise<void> {
  return each(
    Array.from({ length: count }, (_, i) => i),
    run,
    width,
  );
}
