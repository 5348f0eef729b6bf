/**
 * A test tokenizer for decoding processors: the eight protocol tags are ids 0–7, any other character is
 * 100 + its code, optional multi-character `pieces` are ids 1000+ (decoded only, as a BPE's merged pieces
 * would be), and an optional `eos` id decodes to nothing. Encoding never produces pieces. Tests only.
 */
import type { Tokenizer } from '../core/policy/ports';

export const TAG_TOKENS = ['<think>', '</think>', '<search>', '</search>', '<answer>', '</answer>', '<information>', '</information>'] as const;

export function createTagTokenizer(o: { pieces?: readonly string[]; eos?: number } = {}): Tokenizer {
  const pieces = o.pieces ?? [];
  return {
    encode(text) {
      const out: number[] = [];
      for (let i = 0; i < text.length; ) {
        const tag = TAG_TOKENS.findIndex((t) => text.startsWith(t, i));
        if (tag >= 0) {
          out.push(tag);
          i += (TAG_TOKENS[tag] as string).length;
        } else out.push(100 + text.charCodeAt(i++));
      }
      return out;
    },
    decode: (ids) => ids.map((id) => (id < 8 ? TAG_TOKENS[id] : id === o.eos ? '' : id >= 1000 ? pieces[id - 1000] : String.fromCharCode(id - 100))).join(''),
  };
}
