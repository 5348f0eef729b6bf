/** Number formatting for the research views: fixed, unit-bearing, never locale-dependent. */

/** Reference cost units (completion tokens × $/1M output): up to 2 decimals, trailing zeros dropped. */
export function formatCostUnits(units: number): string {
  return `${trimFixed(units, 2)} units`;
}

/** Dollars: sub-cent amounts keep 3 significant digits so a single call is still readable. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  if (Math.abs(usd) < 0.01) return `$${usd.toPrecision(3)}`;
  return `$${usd.toFixed(2)}`;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${trimFixed(ms / 1000, 2)} s`;
}

/** A score in [-1, 1] to 3 decimals, trailing zeros dropped ("1", "0.5", "-1", "0.667"). */
export function formatScore(x: number): string {
  return trimFixed(x, 3);
}

function trimFixed(x: number, digits: number): string {
  const s = x.toFixed(digits);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}
