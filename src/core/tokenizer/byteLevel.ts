/**
 * Byte-level text handling shared by the BPE trainer (bpeTrainer.ts) and its tokenizer (bpeTokenizer.ts):
 * GPT-2's printable byte alphabet, GPT-2's pre-tokenisation written as a scanner, and the split at added
 * tokens. Both sides must cut text the same way, or the trained merges would not apply at encode time.
 */

/**
 * GPT-2's byte → printable character map (the alphabet byte-level vocabularies are written in): the
 * printable Latin-1 bytes stand for themselves ('!'…'~', '¡'…'¬', '®'…'ÿ'); the other 68 bytes (controls,
 * space, DEL, NBSP, soft hyphen…) take U+0100, U+0101, … in byte order. So space is 'Ġ', newline 'Ċ'.
 */
export function byteLevelAlphabet(): string[] {
  const out: string[] = new Array<string>(256);
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    out[b] = String.fromCharCode(printable ? b : 0x100 + shifted++);
  }
  return out;
}

const IS_SPACE = /^\s$/u;
const IS_LETTER = /^\p{L}$/u;
const IS_NUMBER = /^\p{N}$/u;
const CONTRACTIONS = ['s', 't', 're', 've', 'm', 'll', 'd'] as const;

type CharClass = 'space' | 'letter' | 'number' | 'other';

function classOf(ch: string): CharClass {
  if (IS_SPACE.test(ch)) return 'space';
  if (IS_LETTER.test(ch)) return 'letter';
  if (IS_NUMBER.test(ch)) return 'number';
  return 'other';
}

/**
 * GPT-2 pre-tokenisation (see the module comment), on code points:
 *   'x contraction | ␠?letters | ␠?numbers | ␠?others | whitespace run less its last char when a
 *   non-space follows | whitespace run.
 * The optional leading space is U+0020 only; other whitespace always stands alone.
 */
export function preTokenize(text: string): string[] {
  const cps = Array.from(text);
  const cls = cps.map(classOf);
  const out: string[] = [];
  const n = cps.length;
  const runEnd = (from: number, c: CharClass): number => {
    let j = from;
    while (j < n && cls[j] === c) j++;
    return j;
  };
  let i = 0;
  while (i < n) {
    const ch = cps[i] as string;
    const c = cls[i] as CharClass;
    if (ch === "'") {
      const rest = CONTRACTIONS.find((s) => cps.slice(i + 1, i + 1 + s.length).join('') === s);
      if (rest !== undefined) {
        out.push("'" + rest);
        i += 1 + rest.length;
        continue;
      }
    }
    if (c !== 'space') {
      const j = runEnd(i, c);
      out.push(cps.slice(i, j).join(''));
      i = j;
      continue;
    }
    // ␠ followed by a non-space: the space leads the next run.
    const next = cls[i + 1];
    if (ch === ' ' && next !== undefined && next !== 'space') {
      const j = runEnd(i + 1, next);
      out.push(cps.slice(i, j).join(''));
      i = j;
      continue;
    }
    const j = runEnd(i, 'space');
    // A run followed by a non-space keeps its last character for the next piece (\s+(?!\S)), unless
    // it is a single character (then \s+ takes it).
    const end = j < n && j - i >= 2 ? j - 1 : j;
    out.push(cps.slice(i, end).join(''));
    i = end;
  }
  return out;
}

/** Splits `text` at the added tokens (leftmost, longest first): [text, isAdded] sections, empty ones dropped. */
export function splitAddedTokens(text: string, added: readonly string[]): [string, boolean][] {
  const out: [string, boolean][] = [];
  if (added.length === 0) return text === '' ? [] : [[text, false]];
  let rest = text;
  while (rest.length > 0) {
    let at = -1;
    let hit = '';
    for (const tok of added) {
      const k = rest.indexOf(tok);
      if (k >= 0 && (at < 0 || k < at || (k === at && tok.length > hit.length))) [at, hit] = [k, tok];
    }
    if (at < 0) {
      out.push([rest, false]);
      break;
    }
    if (at > 0) out.push([rest.slice(0, at), false]);
    out.push([hit, true]);
    rest = rest.slice(at + hit.length);
  }
  return out;
}
