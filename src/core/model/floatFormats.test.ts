import { describe, expect, it } from 'vitest';
import { bfloat16BytesToFloat32, float32ToHalfBytes, floatToBfloat16Bits, floatToHalfBits, halfBitsToFloat, halfBytesToFloat32 } from './floatFormats';

describe('binary16', () => {
  it('decodes the format\'s landmarks', () => {
    expect(halfBitsToFloat(0x3c00)).toBe(1);
    expect(halfBitsToFloat(0xc000)).toBe(-2);
    expect(halfBitsToFloat(0x7bff)).toBe(65504); // largest finite
    expect(halfBitsToFloat(0x0001)).toBe(2 ** -24); // smallest subnormal
    expect(halfBitsToFloat(0x0400)).toBe(2 ** -14); // smallest normal
    expect(halfBitsToFloat(0x7c00)).toBe(Infinity);
    expect(halfBitsToFloat(0xfc00)).toBe(-Infinity);
    expect(halfBitsToFloat(0x7e00)).toBeNaN();
    expect(Object.is(halfBitsToFloat(0x8000), -0)).toBe(true);
  });

  it('every one of the 65,536 codes survives decode → encode (NaNs stay NaN)', () => {
    for (let h = 0; h < 65536; h++) {
      const x = halfBitsToFloat(h);
      if (Number.isNaN(x)) expect(Number.isNaN(halfBitsToFloat(floatToHalfBits(x)))).toBe(true);
      else expect(floatToHalfBits(x)).toBe(h);
    }
  });

  it('rounds to nearest, ties to even, and overflows to infinity', () => {
    expect(floatToHalfBits(1 + 2 ** -11)).toBe(0x3c00); // tie → even (down)
    expect(floatToHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(floatToHalfBits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // just above the tie
    expect(floatToHalfBits(65520)).toBe(0x7c00);
    expect(floatToHalfBits(2 ** -25)).toBe(0); // tie between 0 and the smallest subnormal → 0
    expect(floatToHalfBits(1.5 * 2 ** -25)).toBe(1);
  });

  it('converts byte arrays (little-endian) through the lookup table', () => {
    const values = Float32Array.from([0, 1, -0.5, 3.140625, 65504, -(2 ** -24)]);
    expect(Array.from(halfBytesToFloat32(float32ToHalfBytes(values, 'f16')))).toEqual(Array.from(values));
  });
});

describe('bfloat16', () => {
  it('is the top half of a float32, rounded to nearest even', () => {
    expect(floatToBfloat16Bits(1)).toBe(0x3f80);
    expect(floatToBfloat16Bits(-2)).toBe(0xc000);
    expect(floatToBfloat16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie → even
    expect(floatToBfloat16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(floatToBfloat16Bits(NaN) & 0x7fc0).toBe(0x7fc0);
    const values = Float32Array.from([0, 1, -1.5, 2 ** 100, -(2 ** -100), Infinity]);
    expect(Array.from(bfloat16BytesToFloat32(float32ToHalfBytes(values, 'bf16')))).toEqual(Array.from(values));
  });
});
