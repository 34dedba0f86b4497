/**
 * Small statistics for a noisy machine: medians, percentiles, and ratios taken round by round
 * (service and baseline measured back to back in the same round, then the median of the ratios).
 */

export function median(xs: number[]): number {
  return percentile(xs, 50);
}

/** Linear-interpolated percentile (p in 0..100) of the samples; NaN for none. */
export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const at = ((s.length - 1) * p) / 100;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return s[lo] + (s[hi] - s[lo]) * (at - lo);
}

/** The median of per-round ratios a[i] / b[i]. */
export function medianRatio(a: number[], b: number[]): number {
  return median(a.map((x, i) => x / b[i]));
}

/** min–max spread of per-round values, for the table ("how noisy was it"). */
export function spread(xs: number[], digits = 2): string {
  if (!xs.length) return '–';
  return `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
}

export const round = (x: number, digits = 2) => Number(x.toFixed(digits));
