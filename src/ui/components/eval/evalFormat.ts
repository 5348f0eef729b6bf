/** Small display helpers of the Evaluation view (numbers as the tables and charts show them). */

export const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

export function duration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '…';
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** Colours for models and series (stable by index). */
export const PALETTE = ['#2f6fde', '#e07b39', '#3aa36b', '#c9445a', '#8a63d2', '#1aa3b8', '#b8a21a', '#6b7785', '#d25aa6', '#4b5bd1', '#7aa33a'] as const;

export const colorAt = (i: number): string => PALETTE[i % PALETTE.length] as string;
