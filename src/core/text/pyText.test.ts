/**
 * Python 3 string semantics the reference relies on (DESIGN.md §2.4: `str.isspace()`, `str.split()`,
 * `strip()`, the Unicode word characters of `re`). Expected values were checked in CPython 3.11
 * (Unicode 14); each test names the Python rule it pins and, where it matters, how JavaScript differs.
 */
import { describe, expect, it } from 'vitest';
import { isPySpace, isPyWordChar, pyCount, pyLower, pySplit, pySplitOn, pyStrip } from './pyText';

/** `[hex(c) for c in range(0x110000) if chr(c).isspace()]` in CPython 3.11. */
const PYTHON_ISSPACE = [
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002,
  0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
];

describe('isPySpace: str.isspace()', () => {
  it('is true for exactly the code points CPython lists (all in the BMP)', () => {
    const found: number[] = [];
    for (let c = 0; c <= 0xffff; c++) if (isPySpace(c)) found.push(c);
    expect(found).toEqual(PYTHON_ISSPACE);
  });

  it.each([
    ['U+00A0 no-break space', 0xa0],
    ['U+0085 next line', 0x85],
    ['U+001C file separator', 0x1c],
    ['U+001D group separator', 0x1d],
    ['U+001E record separator', 0x1e],
    ['U+001F unit separator', 0x1f],
    ['U+2028 line separator', 0x2028],
    ['U+3000 ideographic space', 0x3000],
  ])('treats %s as a space', (_label, cp) => {
    expect(isPySpace(cp)).toBe(true);
  });

  it.each([
    ['U+FEFF byte order mark (a JS space)', 0xfeff],
    ['U+200B zero width space', 0x200b],
    ['U+180E Mongolian vowel separator (Cf since Unicode 6.3)', 0x180e],
  ])('does not treat %s as a space', (_label, cp) => {
    expect(isPySpace(cp)).toBe(false);
  });
});

describe('pyStrip: str.strip() with no argument', () => {
  it('removes Python whitespace from both ends only, keeping inner runs', () => {
    expect(pyStrip(' \t\n a \u00a0 b \u3000\u2028')).toBe('a \u00a0 b');
  });

  it('strips U+001C and U+0085, which JS trim() keeps', () => {
    expect(pyStrip('\u001cx\u0085')).toBe('x');
    expect('\u001cx\u0085'.trim()).toBe('\u001cx\u0085');
  });

  it('keeps U+FEFF, which JS trim() removes', () => {
    expect(pyStrip('\ufeffx\ufeff')).toBe('\ufeffx\ufeff');
    expect('\ufeffx\ufeff'.trim()).toBe('x');
  });

  it('returns the empty string for all-space input', () => {
    expect(pyStrip(' \u00a0\u3000\n')).toBe('');
    expect(pyStrip('')).toBe('');
  });
});

describe('pySplit: str.split() with no argument', () => {
  it('splits on runs of Python whitespace with no empty fields', () => {
    expect(pySplit('  a\u00a0b\u3000\u3000c\u2028 ')).toEqual(['a', 'b', 'c']);
  });

  it('returns [] for empty or all-space input', () => {
    expect(pySplit('')).toEqual([]);
    expect(pySplit(' \u0085\u001f ')).toEqual([]);
  });

  it('does not split on U+FEFF, U+200B or U+180E (JS /\\s/ splits on U+FEFF)', () => {
    expect(pySplit('a\ufeffb c\u200bd e\u180ef')).toEqual(['a\ufeffb', 'c\u200bd', 'e\u180ef']);
    expect('a\ufeffb'.split(/\s+/)).toEqual(['a', 'b']);
  });

  it('splits on U+001C–U+001F and U+0085 (JS /\\s/ does not)', () => {
    expect(pySplit('a\u001cb\u001dc\u001ed\u001fe\u0085f')).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect('a\u001cb'.split(/\s+/)).toEqual(['a\u001cb']);
  });
});

describe('isPyWordChar: word characters of Python 3 re (str.isalnum() or _)', () => {
  it.each([
    ['ASCII letter', 'a'],
    ['accented letter', 'é'],
    ['Greek letter', 'α'],
    ['CJK ideograph', '中'],
    ['ASCII digit', '7'],
    ['Arabic-Indic digit', '\u0663'],
    ['superscript two (No)', '²'],
    ['vulgar fraction one half (No)', '½'],
    ['Roman numeral twelve (Nl)', 'Ⅻ'],
    ['underscore', '_'],
    ['astral letter U+1D400 (one code point, two UTF-16 units)', '\u{1d400}'],
  ])('counts a %s as a word character', (_label, ch) => {
    expect(isPyWordChar(ch)).toBe(true);
  });

  it.each([
    ['combining acute accent U+0301', '\u0301'],
    ['hyphen', '-'],
    ['space', ' '],
    ['zero width space U+200B', '\u200b'],
    ['byte order mark U+FEFF', '\ufeff'],
    ['left double quotation mark', '“'],
  ])('does not count a %s as a word character', (_label, ch) => {
    expect(isPyWordChar(ch)).toBe(false);
  });

  it('treats a position outside the string (undefined) as a non-word character', () => {
    expect(isPyWordChar(undefined)).toBe(false);
  });
});

describe('pyCount: str.count(sub)', () => {
  it('counts non-overlapping occurrences', () => {
    expect(pyCount('aaaa', 'aa')).toBe(2);
    expect(pyCount('aaa', 'aa')).toBe(1);
    expect(pyCount('<think>a</think><think>', '<think>')).toBe(2);
    expect(pyCount('abc', 'x')).toBe(0);
  });

  it('counts an empty substring as len(s) + 1 in code points', () => {
    expect(pyCount('abc', '')).toBe(4);
    expect(pyCount('a\u{1f600}', '')).toBe(3);
    expect(pyCount('', '')).toBe(1);
  });
});

describe('pySplitOn: str.split(sep)', () => {
  it('keeps empty fields', () => {
    expect(pySplitOn('a::b:', ':')).toEqual(['a', '', 'b', '']);
  });

  it('returns the whole string when the separator is absent', () => {
    expect(pySplitOn('abc', ':')).toEqual(['abc']);
  });
});

describe('pyLower: str.lower()', () => {
  it('lowercases with the final-sigma rule', () => {
    expect(pyLower('ΟΔΟΣ')).toBe('\u03bf\u03b4\u03bf\u03c2'); // ends in ς (U+03C2), not σ
    expect(pyLower('ΣΑ')).toBe('\u03c3\u03b1'); // a non-final sigma stays σ
  });

  it('uses the full (one-to-many) mapping: İ becomes i + U+0307', () => {
    expect(pyLower('İ')).toBe('i\u0307');
  });

  it('lowercases Roman numerals (Nl letters with case)', () => {
    expect(pyLower('Ⅻ')).toBe('ⅻ');
  });
});
