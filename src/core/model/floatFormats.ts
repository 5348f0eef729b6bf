/**
 * Conversions between the half-precision formats checkpoints are stored in and float32, written out
 * bit by bit (no Float16Array: Node 20 and older browsers lack it):
 *
 *   binary16 (IEEE half):  sign 1 · exponent 5 (bias 15) · mantissa 10
 *     normal     (−1)^s · 2^(e − 15) · (1 + m / 1024)
 *     subnormal  (−1)^s · 2^(−14) · (m / 1024)          (e = 0)
 *     e = 31     ±∞ (m = 0) or NaN
 *   bfloat16:              the top 16 bits of a float32 (sign 1 · exponent 8 · mantissa 7)
 *
 * Narrowing rounds to nearest, ties to even (what PyTorch's `.half()` / `.bfloat16()` do), so a writer
 * followed by a reader is the same rounding a real checkpoint went through.
 * Not for: fp8 formats (no released checkpoint of the supported families uses them).
 */

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** One binary16 bit pattern → its value. */
export function halfBitsToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

let halfTable: Float32Array | undefined;

/** All 65,536 binary16 values (256 KiB, built once): converting gigabytes becomes one lookup per value. */
function halfLookup(): Float32Array {
  if (halfTable === undefined) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = halfBitsToFloat(h);
  }
  return halfTable;
}

/** A float → binary16 bits, round to nearest even; overflow → ±∞. */
export function floatToHalfBits(x: number): number {
  scratchF32[0] = x;
  const bits = scratchU32[0] ?? 0;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // subnormal half: value = mantissa(with the implicit 1) · 2^(e − 14 − 24 + 24) → shift right by 14 − e
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    let m = mantissa >>> shift;
    if (rest > halfway || (rest === halfway && (m & 1) === 1)) m++;
    return sign | m;
  }
  let h = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++; // a carry into the exponent is the right answer (→ ∞ at the top)
  return sign | h;
}

/** A float → bfloat16 bits, round to nearest even; NaN stays a quiet NaN. */
export function floatToBfloat16Bits(x: number): number {
  scratchF32[0] = x;
  const bits = scratchU32[0] ?? 0;
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) return ((bits >>> 16) & 0x8000) | 0x7fc0;
  const lsb = (bits >>> 16) & 1;
  return ((bits + 0x7fff + lsb) >>> 16) & 0xffff;
}

/** Little-endian binary16 bytes → float32 values. bytes.byteLength must be even. */
export function halfBytesToFloat32(bytes: Uint8Array): Float32Array {
  const n = bytes.byteLength >> 1;
  const out = new Float32Array(n);
  const table = halfLookup();
  for (let i = 0; i < n; i++) out[i] = table[(bytes[2 * i] ?? 0) | ((bytes[2 * i + 1] ?? 0) << 8)] ?? 0;
  return out;
}

/** Little-endian bfloat16 bytes → float32 values (exact: a bfloat16 is a truncated float32). */
export function bfloat16BytesToFloat32(bytes: Uint8Array): Float32Array {
  const n = bytes.byteLength >> 1;
  const out = new Float32Array(n);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) bits[i] = (((bytes[2 * i] ?? 0) | ((bytes[2 * i + 1] ?? 0) << 8)) << 16) >>> 0;
  return out;
}

/** Little-endian float32 bytes → a Float32Array that owns its values (any alignment). */
export function float32BytesToFloat32(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.byteLength >> 2);
  new Uint8Array(out.buffer).set(bytes.subarray(0, out.length * 4));
  return out;
}

/** float32 values → little-endian bytes of 16-bit codes (binary16 or bfloat16). */
export function float32ToHalfBytes(values: Float32Array, format: 'f16' | 'bf16'): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const narrow = format === 'f16' ? floatToHalfBits : floatToBfloat16Bits;
  for (let i = 0; i < values.length; i++) {
    const h = narrow(values[i] ?? 0);
    out[2 * i] = h & 0xff;
    out[2 * i + 1] = h >>> 8;
  }
  return out;
}
