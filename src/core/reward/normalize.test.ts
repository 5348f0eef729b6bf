/**
 * Answer normalisation, EM and token F1 (DESIGN.md §2.4 "Outcome"). Every expected value was computed
 * by hand and checked against `normalize_answer`, `exact_match` and `f1` in CPython 3.11
 * (src/cli/conformance/oracle.py).
 */
import { describe, expect, it } from 'vitest';
import { exactMatch, f1Against, f1Score, normalizeAnswer, removeArticles, removePunctuation } from './normalize';

describe('normalizeAnswer step 1: lowercase', () => {
  it('lowercases ASCII and non-ASCII letters', () => {
    expect(normalizeAnswer('ABC Déjà')).toBe('abc déjà');
  });

  it('lowercases before removing articles, so "The" is an article', () => {
    expect(normalizeAnswer('The Eiffel Tower')).toBe('eiffel tower');
  });
});

describe('normalizeAnswer step 2: remove ASCII punctuation only', () => {
  it('removes string.punctuation characters without inserting spaces', () => {
    expect(normalizeAnswer('Hello, World!')).toBe('hello world');
    expect(normalizeAnswer("rock'n'roll")).toBe('rocknroll');
  });

  it('removes underscore (it is in string.punctuation)', () => {
    expect(normalizeAnswer('a_b')).toBe('ab');
  });

  it('keeps non-ASCII punctuation such as “ ” — ¿', () => {
    expect(normalizeAnswer('“quoted” — ¿qué?')).toBe('“quoted” — ¿qué');
  });

  it('removePunctuation removes all 32 ASCII punctuation characters and nothing else', () => {
    expect(removePunctuation('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~')).toBe('');
    expect(removePunctuation('a1 é“”—¿¡')).toBe('a1 é“”—¿¡');
  });
});

describe('normalizeAnswer step 3: articles a/an/the as whole words become a space', () => {
  it('removes every article standing alone', () => {
    expect(normalizeAnswer('a an the')).toBe('');
  });

  it('tries "a" first, then "an" when "a" is not followed by a boundary', () => {
    expect(normalizeAnswer('an apple')).toBe('apple');
    expect(normalizeAnswer('Ann and Anne')).toBe('ann and anne');
  });

  it('keeps articles inside longer words', () => {
    expect(normalizeAnswer('theater')).toBe('theater');
  });

  it('keeps "the" followed by a non-ASCII letter (é is a word character, no boundary)', () => {
    expect(normalizeAnswer('theé')).toBe('theé');
  });

  it('removes "the" followed by a combining mark (U+0301 is not a word character)', () => {
    expect(normalizeAnswer('the\u0301')).toBe('\u0301');
  });

  it('keeps "the" preceded by a Greek letter (α is a word character)', () => {
    expect(normalizeAnswer('αthe')).toBe('αthe');
  });

  it('keeps "the" next to Unicode numbers: digits, ², ٣, Ⅻ are word characters', () => {
    expect(normalizeAnswer('2the')).toBe('2the');
    expect(normalizeAnswer('the²')).toBe('the²');
    expect(normalizeAnswer('the\u0663')).toBe('the\u0663');
    expect(normalizeAnswer('theⅫ')).toBe('theⅻ');
  });

  it('removes "the" followed by U+FEFF (not a word character), leaving the U+FEFF', () => {
    expect(normalizeAnswer('the\ufeffend')).toBe('\ufeffend');
  });

  it('treats "_" as a word character in removeArticles on its own ("the_" is kept)', () => {
    expect(removeArticles('the_')).toBe('the_');
    expect(removeArticles('an_a a')).toBe('an_a  ');
  });

  it('removes punctuation BEFORE articles: "the_" → "the" → "", and "a-the" → "athe" (one word)', () => {
    expect(normalizeAnswer('the_')).toBe('');
    expect(normalizeAnswer("the'")).toBe('');
    expect(normalizeAnswer('a-the')).toBe('athe');
    expect(normalizeAnswer('the.the')).toBe('thethe');
  });
});

describe('normalizeAnswer step 4: split on Python whitespace and join with single spaces', () => {
  it('collapses Unicode spaces (U+00A0, U+3000, U+0085) and trims', () => {
    expect(normalizeAnswer('new\u00a0york\u3000city\u0085x')).toBe('new york city x');
    expect(normalizeAnswer('  the  cat  ')).toBe('cat');
  });

  it('collapses U+001C–U+001E, which also separate words for \\b', () => {
    expect(normalizeAnswer('\u001cthe\u001dend\u001e')).toBe('end');
  });

  it('does not split on U+FEFF, U+200B or U+180E', () => {
    expect(normalizeAnswer('x\ufeffy')).toBe('x\ufeffy');
    expect(normalizeAnswer('x\u200by')).toBe('x\u200by');
    expect(normalizeAnswer('x\u180ey')).toBe('x\u180ey');
  });
});

describe('exactMatch: 1 if the normalised answer equals any normalised gold answer', () => {
  it('matches one of several gold answers after normalisation', () => {
    expect(exactMatch('The Beatles!', ['beatles', 'x'])).toBe(1);
    expect(exactMatch('Paris', ['London', 'paris.'])).toBe(1);
  });

  it('is 0 when no gold answer matches', () => {
    expect(exactMatch('Paris', ['London', 'Rome'])).toBe(0);
  });

  it('is 0 for an empty gold list', () => {
    expect(exactMatch('Paris', [])).toBe(0);
  });

  it('matches two answers that both normalise to the empty string', () => {
    expect(exactMatch('the', ['a'])).toBe(1);
  });
});

describe('f1Score: token F1 on normalised text', () => {
  it('counts repeated tokens by Counter intersection (min of the counts)', () => {
    // pred {new: 2, york: 1}, gold {new: 1, york: 2} → common 2; P = R = 2/3 → F1 = 2/3.
    expect(f1Against('new new york', 'new york york')).toBe(2 / 3);
  });

  it('uses normalised tokens: articles and punctuation are dropped first', () => {
    // "the cat sat" → [cat, sat] vs [cat]: P = 1/2, R = 1 → F1 = 2·½·1 / 1.5 = 2/3.
    expect(f1Against('the cat sat', 'Cat.')).toBe(2 / 3);
    // "a b c d" → [b, c, d] vs [c, d, e]: common 2 → P = R = 2/3.
    expect(f1Against('a b c d', 'c d e')).toBe(2 / 3);
  });

  it('is 1 for an exact normalised match', () => {
    expect(f1Against('Yes.', 'yes')).toBe(1);
  });

  it('is 0 when the prediction is yes/no/noanswer and differs from the gold', () => {
    expect(f1Against('yes', 'yes sir')).toBe(0);
    expect(f1Against('noanswer', 'no answer')).toBe(0);
  });

  it('is 0 when the gold is yes/no/noanswer and differs from the prediction', () => {
    expect(f1Against('yes sir', 'yes')).toBe(0);
    expect(f1Against('no way', 'no')).toBe(0);
  });

  it('takes the max over gold answers', () => {
    // obama: P = 1/2, R = 1 → 2/3; "barack obama jr": P = 1, R = 2/3 → 0.8; michelle: 0.
    expect(f1Score('barack obama', ['obama', 'barack obama jr', 'michelle'])).toBe(0.8);
  });

  it('floors at 0 when nothing overlaps', () => {
    expect(f1Score('paris', ['london'])).toBe(0);
  });

  it('is 0 for an empty gold list', () => {
    expect(f1Score('paris', [])).toBe(0);
  });

  it('is 0 for an empty prediction, even against an answer that also normalises to empty', () => {
    expect(f1Score('', ['x'])).toBe(0);
    expect(f1Score('the', ['the'])).toBe(0);
  });
});
