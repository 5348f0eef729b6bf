/** The two embedded variants and their warm-ups as embedded.json lists them, for UI tests. Test support only. */
export const EMBEDDED_VARIANTS = [
  { name: 'router-nano-a0', alpha: 0, summary: 'accuracy first' },
  { name: 'router-nano-a08', alpha: 0.8, summary: 'cost first' },
];

export const EMBEDDED_WARMUPS = [
  { name: 'router-nano-a0-warmup', of: 'router-nano-a0', alpha: 0 },
  { name: 'router-nano-a08-warmup', of: 'router-nano-a08', alpha: 0.8 },
];
