import { describe, expect, it } from 'vitest';
import { DEFAULT_ENV_SETTINGS } from '../env/trajectory';
import { ContextCapacityError, fitSettingsToCapacity } from './fitSettings';

describe('fitSettingsToCapacity', () => {
  it('keeps the reference limits when the model has the positions, or when no capacity is known', () => {
    expect(fitSettingsToCapacity(DEFAULT_ENV_SETTINGS, undefined)).toBe(DEFAULT_ENV_SETTINGS);
    expect(fitSettingsToCapacity(DEFAULT_ENV_SETTINGS, 4096 + 1024)).toBe(DEFAULT_ENV_SETTINGS);
  });

  it('gives a quarter to generation and the rest to the rolling context, so context + new ≤ capacity', () => {
    for (const capacity of [512, 1000, 2048, 5119]) {
      const s = fitSettingsToCapacity(DEFAULT_ENV_SETTINGS, capacity);
      expect(s.maxContextTokens + s.maxNewTokens).toBeLessThanOrEqual(capacity);
      expect(s.maxPromptTokens).toBeLessThanOrEqual(s.maxContextTokens);
      expect(s.maxNewTokens).toBe(Math.min(1024, Math.floor(capacity / 4)));
      expect(s.maxTurns).toBe(DEFAULT_ENV_SETTINGS.maxTurns);
    }
    expect(fitSettingsToCapacity(DEFAULT_ENV_SETTINGS, 512)).toMatchObject({ maxNewTokens: 128, maxContextTokens: 384, maxPromptTokens: 384 });
  });

  it('never exceeds the capacity, down to the smallest episode; below that it refuses in words', () => {
    for (let capacity = 2; capacity <= 64; capacity++) {
      const s = fitSettingsToCapacity(DEFAULT_ENV_SETTINGS, capacity + 0.5);
      expect(s.maxContextTokens + s.maxNewTokens).toBeLessThanOrEqual(capacity);
      expect(Math.min(s.maxContextTokens, s.maxNewTokens, s.maxPromptTokens)).toBeGreaterThanOrEqual(1);
    }
    // Framing longer than the model's positions (e.g. a 16-position graph with a 20-token template).
    for (const capacity of [1, 0, -4, -Infinity]) expect(() => fitSettingsToCapacity(DEFAULT_ENV_SETTINGS, capacity)).toThrow(ContextCapacityError);
    expect(() => fitSettingsToCapacity(DEFAULT_ENV_SETTINGS, -4)).toThrow(/leaves -4 positions.*needs at least 2/);
  });
});
