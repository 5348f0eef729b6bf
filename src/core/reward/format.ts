/**
 * Rule-based format reward, answer extraction and route counting of the Router-R1 reference
 * (DESIGN.md §2.4), on the decoded response after the prompt, observations included.
 * Regexes mirror Python's `re.findall(pattern, s, re.DOTALL)`: leftmost, non-greedy, non-overlapping.
 */
import { resolveReferenceModel } from '../protocol/modelNames';
import { pyCount, pyStrip } from '../text/pyText';
import { PROTOCOL_TAGS, scanTagBlocks, type ProtocolTag, type TagBlock } from './tagBlocks';

export const FORMAT_OK = 0;
export const FORMAT_PENALTY = -1;
export type FormatScore = typeof FORMAT_OK | typeof FORMAT_PENALTY;

const ALL_TAGS = PROTOCOL_TAGS;
type Tag = ProtocolTag;
export type { TagBlock };

/**
 * `re.findall(r'<(search|answer|think|information)>(.*?)</\1>', s, re.DOTALL)` (or a subset of tags),
 * in linear time (tagBlocks.ts): completions are scored on every episode and links recompute them.
 */
export function findTagBlocks(text: string, tags: readonly Tag[] = ALL_TAGS): TagBlock[] {
  return scanTagBlocks(text, tags);
}

/** extract_solution: the last `<answer>` block, stripped; undefined when there is none. */
export function extractAnswer(completion: string): string | undefined {
  const blocks = findTagBlocks(completion, ['answer']);
  const last = blocks[blocks.length - 1];
  return last === undefined ? undefined : pyStrip(last.content);
}

const TAG_STRINGS = ALL_TAGS.flatMap((t) => [`<${t}>`, `</${t}>`]);

function containsAnyTag(s: string): boolean {
  return TAG_STRINGS.some((t) => s.includes(t));
}

/** The parts of a route's content split on ':' (Python `str.split(':')`). */
function routeParts(content: string): { name: string; query: string; colons: number } {
  const parts = content.split(':');
  return { name: parts[0] ?? '', query: parts[parts.length - 1] ?? '', colons: parts.length - 1 };
}

function hasPlaceholder(content: string): boolean {
  const lowered = pyStrip(content).toLowerCase();
  return lowered.includes('llm-name') || lowered.includes('your-query');
}

/** Decides whether a route's model name (as written, before the first colon) is callable. */
export type ModelNameCheck = (name: string) => boolean;

/** The reference's rule 8: the name resolves by the paper's substring rules. */
export const isReferenceModelName: ModelNameCheck = (name) => resolveReferenceModel(name) !== undefined;

/** Rule 7 of §2.4 on a stripped search content: exactly one colon, non-empty query, no placeholder,
 * and the name not a substring of the query. */
function isBadRouteSyntax(content: string): boolean {
  const { name, query, colons } = routeParts(content);
  if (colons !== 1) return true;
  const q = pyStrip(query);
  return q === '' || hasPlaceholder(content) || q.toLowerCase().includes(pyStrip(name).toLowerCase());
}

/**
 * Format reward ∈ {0, −1}: −1 when any rule of DESIGN.md §2.4 fires (balanced tags, no nesting,
 * non-empty thinks, one answer, searches = informations, starts with <think>, ends with </answer>,
 * well-formed routes to resolvable models), else 0. `isKnownModel` defaults to the reference's rules;
 * for a pool other than the paper's, pass a check that also accepts the pool's own names.
 */
export function formatReward(completion: string, isKnownModel: ModelNameCheck = isReferenceModelName): FormatScore {
  const blocks = findTagBlocks(completion);
  if (blocks.length === 0) return FORMAT_PENALTY;
  for (const t of ALL_TAGS) {
    if (pyCount(completion, `<${t}>`) !== pyCount(completion, `</${t}>`)) return FORMAT_PENALTY;
  }
  const counts: Record<Tag, number> = { search: 0, answer: 0, think: 0, information: 0 };
  let bad = false;
  for (const block of blocks) {
    const content = pyStrip(block.content);
    counts[block.tag]++;
    if (block.tag === 'search') {
      if (isBadRouteSyntax(content)) bad = true;
      else if (!isKnownModel(routeParts(content).name)) bad = true;
    } else if (block.tag === 'think' && (content === '...' || content === '')) {
      bad = true;
    }
    if (containsAnyTag(content)) bad = true;
  }
  if (bad) return FORMAT_PENALTY;
  if (counts.answer !== 1 || counts.think === 0 || counts.search !== counts.information) return FORMAT_PENALTY;
  const stripped = pyStrip(completion);
  if (!stripped.startsWith('<think>')) return FORMAT_PENALTY;
  if (stripped.lastIndexOf('</answer>') + '</answer>'.length !== stripped.length) return FORMAT_PENALTY;
  return FORMAT_OK;
}

/**
 * route_count: over the `<(search|answer)>` blocks, count searches with exactly one colon, a non-empty
 * query, no placeholder and a resolvable name. Reference quirk kept: once an invalid search has been
 * seen, no later search is counted.
 */
export function routeCount(completion: string, isKnownModel: ModelNameCheck = isReferenceModelName): number {
  let count = 0;
  let sawInvalid = false;
  for (const block of findTagBlocks(completion, ['search', 'answer'])) {
    if (block.tag !== 'search') continue;
    const content = pyStrip(block.content);
    const { name, query, colons } = routeParts(content);
    if (colons !== 1 || pyStrip(query) === '' || hasPlaceholder(content)) sawInvalid = true;
    else if (!isKnownModel(name)) sawInvalid = true;
    if (!sawInvalid) count++;
  }
  return count;
}
