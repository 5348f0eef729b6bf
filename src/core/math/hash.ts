/**
 * Stable string hashes (FNV-1a over UTF-8): the offline pool's deterministic choices (same (model, query)
 * → same reply in every run, host and process), question and run ids, the held-out split, and the
 * response-cache keys. Not cryptographic, and not an Rng: nothing here has state.
 */

const UTF8 = new TextEncoder();
const FNV_OFFSET_32 = 0x811c9dc5;
const FNV_PRIME_32 = 0x01000193;

/** FNV-1a (32-bit) over the UTF-8 bytes of `text`, as an unsigned integer. */
export function fnv1a32(text: string, offsetBasis: number = FNV_OFFSET_32): number {
  let h = offsetBasis >>> 0;
  for (const byte of UTF8.encode(text)) {
    h ^= byte;
    h = Math.imul(h, FNV_PRIME_32) >>> 0;
  }
  return h >>> 0;
}

/** Joins the parts with U+0000 (which none of them contains) so ("ab","c") and ("a","bc") differ. */
export function hashParts(...parts: readonly string[]): number {
  return fnv1a32(parts.join('\u0000'));
}

/** A value in [0, 1) from the hash of the parts. */
export function unitHash(...parts: readonly string[]): number {
  return hashParts(...parts) / 0x1_0000_0000;
}

/** 16 hex digits: two FNV-1a passes with different offset bases (collision-safe for thousands of ids). */
export function hashHex64(text: string): string {
  const hi = fnv1a32(text);
  const lo = fnv1a32(text, hi ^ FNV_OFFSET_32);
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

/** FNV-1a 64 over the UTF-8 bytes, as 16 hex digits (response-cache keys). */
export function fnv1a64(text: string): string {
  let h = FNV64_OFFSET;
  for (const byte of UTF8.encode(text)) {
    h ^= BigInt(byte);
    h = (h * FNV64_PRIME) & MASK64;
  }
  return h.toString(16).padStart(16, '0');
}
