import { describe, expect, it } from 'vitest';
import { formatCostUnits, formatMs, formatScore, formatUsd } from './format';

describe('format', () => {
  it('formats reference cost units, dollars, latency and scores', () => {
    expect(formatCostUnits(9.68)).toBe('9.68 units');
    expect(formatCostUnits(1.08)).toBe('1.08 units');
    expect(formatCostUnits(0)).toBe('0 units');
    expect(formatUsd(0)).toBe('$0');
    expect(formatUsd(0.0000442)).toBe('$0.0000442');
    expect(formatUsd(1.5)).toBe('$1.50');
    expect(formatMs(250.4)).toBe('250 ms');
    expect(formatMs(1500)).toBe('1.5 s');
    expect(formatScore(1)).toBe('1');
    expect(formatScore(-1)).toBe('-1');
    expect(formatScore(2 / 3)).toBe('0.667');
  });
});
