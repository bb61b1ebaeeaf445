/**
 * The Wilson score interval of a share `k / n` at 95% (z = 1.96): unlike the normal approximation
 * it stays inside [0, 1] and is honest for shares near 0 or 1 and small samples. null for n = 0.
 */
export function wilsonInterval(k: number, n: number, z = 1.96): { share: number; low: number; high: number } | null {
  if (n <= 0) return null;
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { share: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
