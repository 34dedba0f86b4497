/** Run `run` for every element of `list`, at most `width` at a time (fan-outs, per-tenant jobs). */
export async function inParallel<T>(list: readonly T[], run: (x: T) => Promise<void>, width: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, list.length) }, async () => {
      while (next < list.length) await run(list[next++]!);
    }),
  );
}
