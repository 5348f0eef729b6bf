import { describe, expect, it } from 'vitest';
import { createByteTokenizer, TokenIdRangeError } from './byteTokenizer';

describe('createByteTokenizer', () => {
  const tok = createByteTokenizer();

  it('encodes text as its UTF-8 bytes', () => {
    expect(tok.encode('Hi é')).toEqual([72, 105, 32, 0xc3, 0xa9]);
    expect(tok.encode('')).toEqual([]);
  });

  it('round-trips any text, byte-order marks and astral characters included', () => {
    for (const s of ['plain', 'Philip K. Dick — 🤖 ünïcödé', '\uFEFFbom', '\uFEFF\uFEFFtwo', 'a\uFEFFb', '']) {
      expect(tok.decode(tok.encode(s))).toBe(s);
    }
  });

  it('decodes a cut multi-byte character to U+FFFD instead of throwing', () => {
    const ids = tok.encode('ab🤖');
    expect(tok.decode(ids.slice(0, 4))).toBe('ab\uFFFD');
  });

  it('rejects ids that are not bytes', () => {
    expect(() => tok.decode([256])).toThrow(TokenIdRangeError);
    expect(() => tok.decode([-1])).toThrow(TokenIdRangeError);
    expect(() => tok.decode([1.5])).toThrow(/0\.\.255/);
  });
});
