/**
 * A real, simple tokenizer: the UTF-8 bytes of the text are the token ids (0–255). Used for token
 * budgets when no policy tokenizer is loaded (scripted and human policies, examples, tests).
 * Decoding is non-fatal: a cut inside a multi-byte character decodes to U+FFFD, as a truncated
 * observation does with a BPE tokenizer.
 */
import type { Tokenizer } from '../policy/ports';

export class TokenIdRangeError extends Error {
  override name = 'TokenIdRangeError';
}

const BOM = [0xef, 0xbb, 0xbf] as const;

export function createByteTokenizer(): Tokenizer {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const decodeBytes = (ids: readonly number[]): string => decoder.decode(Uint8Array.from(ids));
  return {
    encode: (text) => Array.from(encoder.encode(text)),
    decode(ids) {
      for (const id of ids) {
        if (!Number.isInteger(id) || id < 0 || id > 255) {
          throw new TokenIdRangeError(`Byte token ids are integers in 0..255, got ${id}; decode ids with the tokenizer that produced them.`);
        }
      }
      // TextDecoder drops one leading byte-order mark unless told not to (ignoreBOM is not in core's
      // host globals), so decode leading BOMs ourselves to keep decode(encode(s)) === s.
      let start = 0;
      while (BOM.every((b, i) => ids[start + i] === b)) start += BOM.length;
      return '\uFEFF'.repeat(start / BOM.length) + decodeBytes(ids.slice(start));
    },
  };
}
