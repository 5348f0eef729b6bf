/**
 * Python 3 string semantics that the Router-R1 reference relies on, reimplemented exactly:
 * `str.isspace()` (for `strip()` and `split()`), the Unicode word characters of `re` (for `\b`),
 * and `str.count`. JavaScript's own `trim()`, `\s` and `\b` differ (U+FEFF is a JS space but not a
 * Python one; U+001C–U+001F and U+0085 are the reverse; JS `\b` is ASCII-only), so parity needs these.
 *
 * `String.prototype.toLowerCase` equals Python's `str.lower()` (final sigma included) on every code
 * point assigned in Unicode 14; newer code points may differ with the host's Unicode version.
 */

/** Code points for which Python's `str.isspace()` is true (bidi WS/B/S or category Zs). */
const PY_SPACE = new Set<number>([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680,
  0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a,
  0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

/** All of Python's whitespace code points are in the BMP, so a UTF-16 unit test is exact. */
export function isPySpace(codeUnit: number): boolean {
  return PY_SPACE.has(codeUnit);
}

/** Python `s.strip()` with no argument. */
export function pyStrip(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && PY_SPACE.has(s.charCodeAt(start))) start++;
  while (end > start && PY_SPACE.has(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

/** Python `s.split()` with no argument: runs of whitespace separate, no empty fields. */
export function pySplit(s: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < s.length; i++) {
    if (PY_SPACE.has(s.charCodeAt(i))) {
      if (start >= 0) out.push(s.slice(start, i));
      start = -1;
    } else if (start < 0) {
      start = i;
    }
  }
  if (start >= 0) out.push(s.slice(start));
  return out;
}

const WORD = /^[\p{L}\p{N}_]$/u;

/** Python 3 `re` word character for str patterns: `str.isalnum()` or `_` (combining marks are not). */
export function isPyWordChar(codePoint: string | undefined): boolean {
  return codePoint !== undefined && WORD.test(codePoint);
}

/** Python `s.count(sub)`: non-overlapping occurrences; an empty `sub` counts len(s) + 1 (in code points). */
export function pyCount(s: string, sub: string): number {
  if (sub === '') return Array.from(s).length + 1;
  let n = 0;
  for (let i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length)) n++;
  return n;
}

/** Python `s.split(sep)` with an explicit separator (keeps empty fields). */
export function pySplitOn(s: string, sep: string): string[] {
  return s.split(sep);
}

/** Python `s.lower()`. */
export function pyLower(s: string): string {
  return s.toLowerCase();
}
