/**
 * Protocol tag blocks in linear time: exactly what `re.findall(r'<(t1|t2|…)>(.*?)</\1>', s, re.DOTALL)`
 * (and JavaScript's `/<(t1|t2|…)>([\s\S]*?)<\/\1>/g`) match — leftmost, non-greedy, non-overlapping —
 * without the regex's backtracking. The regex retries every `<tag>` against the rest of the text when
 * no `</tag>` follows, so `'<search>'.repeat(n)` costs O(n²) (25,000 of them: ~2 s per call). Here each
 * tag's next closing position is remembered, so the whole scan reads the text a bounded number of times.
 *
 * Why the result is the regex's: at a given `<`, at most one tag name can be followed by `>` (no name
 * contains `>`), so the alternation has one candidate there; `(.*?)</\1>` then ends at the first
 * `</tag>` after the opening tag, or fails and the regex moves on by one character. Scanning starts
 * again after a match (non-overlapping). The oracle is the regex itself: tagBlocks.test.ts compares both
 * on random tag soups.
 *
 * Must not: depend on the reward rules (format.ts reads these blocks) or allocate per character.
 */

export const PROTOCOL_TAGS = ['search', 'answer', 'think', 'information'] as const;
export type ProtocolTag = (typeof PROTOCOL_TAGS)[number];

export interface TagBlock<T extends string = ProtocolTag> {
  tag: T;
  /** Raw content between the tags (not stripped). */
  content: string;
  /** `start` is the index of `<tag>`, `end` the index just after `</tag>`. */
  start: number;
  end: number;
}

/**
 * The first index ≥ `from` of `</tag>`, or −1. Queries come with non-decreasing `from`, so the last
 * answer is reused until `from` passes it, and a −1 is final: each stretch of text is searched once.
 */
function closeFinder(text: string, close: string): (from: number) => number {
  let at = -2; // not searched yet (below every `from`)
  return (from) => {
    if (at === -1 || at >= from) return at;
    at = text.indexOf(close, from);
    return at;
  };
}

/**
 * Every block of the given tags, in order, as the regex matches them; `limit` stops after that many
 * (1 = the first action of a turn).
 */
export function scanTagBlocks<T extends string>(text: string, tags: readonly T[], limit = Infinity): TagBlock<T>[] {
  const finders = tags.map((t) => closeFinder(text, `</${t}>`));
  const out: TagBlock<T>[] = [];
  let pos = 0;
  while (out.length < limit) {
    const lt = text.indexOf('<', pos);
    if (lt < 0) break;
    const k = tags.findIndex((t) => text.charCodeAt(lt + 1 + t.length) === 62 /* '>' */ && text.startsWith(t, lt + 1));
    const tag = tags[k];
    if (tag === undefined) {
      pos = lt + 1;
      continue;
    }
    const contentStart = lt + tag.length + 2;
    const close = (finders[k] as (from: number) => number)(contentStart);
    if (close < 0) {
      pos = lt + 1; // no `</tag>` after this opening: the regex tries the next position
      continue;
    }
    const end = close + tag.length + 3;
    out.push({ tag, content: text.slice(contentStart, close), start: lt, end });
    pos = end;
  }
  return out;
}
