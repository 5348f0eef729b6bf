import { describe, expect, it } from 'vitest';
import { dequantizeQ4, QuantizationError, quantizeQ4 } from './quantizeQ4';
import { createSeededUniform } from './weights';
import type { WeightTensor } from './weights';

function randomWeight(n: number, k: number, seed: number, spread = 1): WeightTensor {
  const rng = createSeededUniform(seed);
  return { data: Float32Array.from({ length: n * k }, () => (rng() * 2 - 1) * spread * (1 + 10 * rng() * rng())), shape: [n, k] };
}

describe('quantizeQ4 / dequantizeQ4', () => {
  it('packs two codes per byte, low nibble first, with scale = absmax / 7', () => {
    // one row, one block: values −7 … 7 then zeros; absmax 7 → scale 1, code = value + 8
    const values = Array.from({ length: 32 }, (_, j) => (j < 15 ? j - 7 : 0));
    const q = quantizeQ4({ data: Float32Array.from(values), shape: [1, 32] });
    expect(Array.from(q.scales)).toEqual([1]);
    expect(q.packed).toHaveLength(16);
    expect(q.packed[0]).toBe(0x21); // codes 1 (low) and 2 (high)
    expect(q.packed[7]).toBe(0x8f); // code 15 for value 7 (j = 14), then 8 for 0 (j = 15)
    expect(Array.from(dequantizeQ4(q).data)).toEqual(values);
  });

  it.each([
    [3, 32, 1],
    [5, 64, 2],
    [4, 48, 3], // K not a multiple of the block: padded last block
    [2, 96, 4],
    [7, 40, 5],
  ])('round-trips an [%d, %d] weight within half a step per element (seed %d)', (n, k, seed) => {
    const w = randomWeight(n, k, seed);
    const q = quantizeQ4(w);
    const nBlocks = Math.ceil(k / 32);
    expect(q.packed).toHaveLength(n * nBlocks * 16);
    expect(q.scales).toHaveLength(n * nBlocks);
    const back = dequantizeQ4(q);
    expect(back.shape).toEqual([n, k]);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < k; c++) {
        const scale = q.scales[r * nBlocks + Math.floor(c / 32)] ?? 0;
        const err = Math.abs((w.data[r * k + c] ?? 0) - (back.data[r * k + c] ?? 0));
        expect(err).toBeLessThanOrEqual(scale / 2 + 1e-6 * scale);
      }
    }
    // the block's largest magnitude is reproduced exactly (up to float32 rounding of the scale)
    const again = dequantizeQ4(quantizeQ4(back));
    for (let i = 0; i < back.data.length; i++) expect(again.data[i]).toBeCloseTo(back.data[i] ?? 0, 5);
  });

  it('leaves padding codes at the zero point (8) and zero blocks at scale 0', () => {
    const q = quantizeQ4({ data: new Float32Array(40), shape: [1, 40] });
    expect(Array.from(q.scales)).toEqual([0, 0]);
    expect(q.packed.every((b) => b === 0x88)).toBe(true);
  });

  it('rejects non-matrices and bad block sizes', () => {
    expect(() => quantizeQ4({ data: new Float32Array(4), shape: [4] })).toThrow(QuantizationError);
    expect(() => quantizeQ4(randomWeight(1, 32, 1), 24)).toThrow(/power of two/);
  });
});
