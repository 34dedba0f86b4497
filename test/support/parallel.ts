/**
 * Fixture set-up a few at a time: `run(i)` for i in [0, count), at most `width` in flight. The
 * 2-core machine runs DynamoDB Local too, so a little parallelism pays and a lot does not.
 */
export async function inParallel(count: number, run: (i: number) => Promise<void>, width = 8): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      for (let i = next++; i < count; i = next++) await run(i);
    }),
  );
}
