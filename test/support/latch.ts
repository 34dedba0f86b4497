/**
 * A staged pause: `reached()` says the paused call got there (awaited as `hit`), and it waits on
 * `gate` until `open()`.
 */
export function latch(): { reached: () => void; hit: Promise<void>; gate: Promise<void>; open: () => void } {
  let reached!: () => void;
  let open!: () => void;
  const hit = new Promise<void>((r) => (reached = r));
  const gate = new Promise<void>((r) => (open = r));
  return { reached, hit, gate, open };
}
