/** How α picks an embedded variant and sets the cost-aware bias: the one mapping the app's views share. */
import { describe, expect, it } from 'vitest';
import { costBiasStrengthForAlpha, embeddedIndex, variantForAlpha } from './defaultModel';

describe('α → embedded variant and cost bias', () => {
  const index = embeddedIndex();

  it('picks the variant trained for the nearest α (ties: the lower α), whatever the order; none when none is listed', () => {
    for (const alpha of [0, 0.2, 0.4]) expect(variantForAlpha(index, alpha)?.name).toBe('router-nano-a0');
    for (const alpha of [0.45, 0.5, 0.8, 1]) expect(variantForAlpha(index, alpha)?.name).toBe('router-nano-a08');
    expect(variantForAlpha({ variants: [...index.variants].reverse() }, 0.3)?.name).toBe('router-nano-a0');
    expect(variantForAlpha({ variants: [] }, 0)).toBeNull();
  });

  it('sets λ = 4α, rounded as the α control shows it', () => {
    expect(costBiasStrengthForAlpha(0)).toBe(0);
    expect(costBiasStrengthForAlpha(0.3)).toBe(1.2); // 0.3 · 4 is 1.2000000000000002 in floats
    expect(costBiasStrengthForAlpha(0.5)).toBe(2);
    expect(costBiasStrengthForAlpha(0.8)).toBe(3.2);
    expect(costBiasStrengthForAlpha(0.9)).toBe(3.6);
  });
});
