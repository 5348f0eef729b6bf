/**
 * Format reward, answer extraction and route counting (DESIGN.md §2.4). Each format rule has a minimal
 * completion that breaks only that rule (where the rules allow it), next to valid completions scoring 0.
 * Expected values were checked against `format_reward`, `extract_answer` and `route_count` in
 * src/cli/conformance/oracle.py under CPython 3.11.
 */
import { describe, expect, it } from 'vitest';
import { extractAnswer, findTagBlocks, FORMAT_OK, FORMAT_PENALTY, formatReward, routeCount } from './format';

const THINK = '<think>a</think>';
const ANSWER = '<answer>b</answer>';
/** One well-formed route and its observation. */
const ROUTE = '<search>Qwen: capital?</search><information>x</information>';

/** A completion with one route whose search content is `content`, otherwise valid. */
const withRoute = (content: string) => `${THINK}<search>${content}</search><information>x</information>${ANSWER}`;

describe('formatReward: valid completions score 0', () => {
  it('accepts a think, one route with its observation, and an answer', () => {
    const completion =
      '<think>I should ask.</think>\n<search>Qwen2.5-7B-Instruct: capital of France?</search>\n\n' +
      '<information>Paris</information>\n\n<answer>Paris</answer>';
    expect(formatReward(completion)).toBe(FORMAT_OK);
  });

  it('accepts the minimal think + answer', () => {
    expect(formatReward('<think>easy</think><answer>4</answer>')).toBe(0);
  });

  it('accepts two routes, each followed by its observation', () => {
    const completion = `${THINK}${ROUTE}<think>b</think><search>gemma: river?</search><information>y</information>${ANSWER}`;
    expect(formatReward(completion)).toBe(0);
  });

  it('accepts the failure observation <information>None</information>', () => {
    expect(formatReward(`${THINK}<search>Qwen: capital?</search>\n\n<information>None</information>\n\n${ANSWER}`)).toBe(0);
  });

  it('accepts a think of four dots (only exactly "..." is empty)', () => {
    expect(formatReward('<think>....</think><answer>b</answer>')).toBe(0);
  });
});

describe('formatReward rule 1: no <(search|answer|think|information)>…</\\1> block', () => {
  it('penalises plain text', () => {
    expect(formatReward('just text')).toBe(FORMAT_PENALTY);
  });

  it('penalises tags in another case (the regex is case-sensitive)', () => {
    expect(formatReward('<Think>a</Think><Answer>b</Answer>')).toBe(-1);
  });
});

describe('formatReward rule 2: count of <tag> ≠ count of </tag> for some tag', () => {
  it('penalises a stray </search> outside every block', () => {
    expect(formatReward(`${THINK}</search>${ANSWER}`)).toBe(-1);
  });

  it('penalises a stray <information> outside every block', () => {
    expect(formatReward(`${THINK}<information>${ANSWER}`)).toBe(-1);
  });
});

describe('formatReward rule 3: a block contains any of the eight tags (nesting)', () => {
  it('penalises a search written inside a think', () => {
    expect(formatReward('<think>a <search>Qwen: q</search> b</think><answer>c</answer>')).toBe(-1);
  });

  it('fires when a candidate reply inside <information> contains a tag', () => {
    const completion = `${THINK}<search>Qwen: capital?</search><information>reply with <answer>x</answer></information><answer>y</answer>`;
    expect(formatReward(completion)).toBe(-1);
  });

  it('fires on single opening or closing tags inside an information block', () => {
    const completion = `${THINK}<search>Qwen: capital?</search><information>see </think> here<think></information>${ANSWER}`;
    expect(formatReward(completion)).toBe(-1);
  });
});

describe('formatReward rule 4: a think block whose stripped content is empty or "..."', () => {
  it('penalises "..."', () => {
    expect(formatReward('<think>...</think><answer>b</answer>')).toBe(-1);
  });

  it('penalises " ... " (stripped first)', () => {
    expect(formatReward('<think> ... </think><answer>b</answer>')).toBe(-1);
  });

  it('penalises a whitespace-only think', () => {
    expect(formatReward('<think> \n\u00a0</think><answer>b</answer>')).toBe(-1);
  });
});

describe('formatReward rule 5: answers ≠ 1, thinks = 0, or searches ≠ informations', () => {
  it('penalises two answer blocks', () => {
    expect(formatReward(`${THINK}<answer>b</answer><answer>c</answer>`)).toBe(-1);
  });

  it('penalises zero think blocks', () => {
    expect(formatReward('<answer>b</answer>')).toBe(-1);
  });

  it('penalises a search without an information block', () => {
    expect(formatReward(`${THINK}<search>Qwen: capital?</search>${ANSWER}`)).toBe(-1);
  });

  it('penalises an information block without a search', () => {
    expect(formatReward(`${THINK}<information>x</information>${ANSWER}`)).toBe(-1);
  });
});

describe('formatReward rule 6: stripped completion starts with <think> and ends with </answer>', () => {
  it('penalises text before the first <think>', () => {
    expect(formatReward(`Sure. ${THINK}${ANSWER}`)).toBe(-1);
  });

  it('penalises trailing text after the last </answer>', () => {
    expect(formatReward(`${THINK}${ANSWER} thanks`)).toBe(-1);
  });

  it('ignores Python whitespace around the completion (incl. U+00A0, U+3000, U+001C, U+0085)', () => {
    expect(formatReward(`  \n${THINK}${ANSWER}\n\u00a0\u3000`)).toBe(0);
    expect(formatReward(`\u001c${THINK}${ANSWER}\u0085`)).toBe(0);
  });

  it('penalises a trailing U+FEFF (not Python whitespace, though JS trim() removes it)', () => {
    expect(formatReward(`${THINK}${ANSWER}\ufeff`)).toBe(-1);
  });
});

describe('formatReward rule 7: a malformed route', () => {
  it('penalises several colons (content must have exactly one)', () => {
    expect(formatReward(withRoute('Qwen: time: 10:30'))).toBe(-1);
  });

  it('penalises no colon', () => {
    expect(formatReward(withRoute('Qwen capital'))).toBe(-1);
  });

  it('penalises an empty query', () => {
    expect(formatReward(withRoute('Qwen:  '))).toBe(-1);
  });

  it('penalises the placeholder your-query (case-insensitive)', () => {
    expect(formatReward(withRoute('Qwen: Your-Query here'))).toBe(-1);
  });

  it('penalises the placeholder llm-name', () => {
    expect(formatReward(withRoute('Qwen llm-name: capital?'))).toBe(-1);
  });

  it('penalises a name that is a substring of the query (case-insensitive)', () => {
    expect(formatReward(withRoute('Qwen: is QWEN good?'))).toBe(-1);
  });

  it('penalises an empty name (the empty string is a substring of every query)', () => {
    expect(formatReward(withRoute(': capital?'))).toBe(-1);
  });
});

describe('formatReward rule 8: a route whose name does not resolve', () => {
  it('penalises an unknown model name', () => {
    expect(formatReward(withRoute('GPT-4o: capital?'))).toBe(-1);
  });

  it('penalises a llama without a known size', () => {
    expect(formatReward(withRoute('Llama-3.1: capital?'))).toBe(-1);
  });
});

describe('findTagBlocks: re.findall(<(tag)>(.*?)</\\1>, DOTALL)', () => {
  it('is non-greedy, crosses newlines and returns raw (unstripped) content', () => {
    const blocks = findTagBlocks('<think> a\nb </think> <answer>1</answer><answer>2</answer>');
    expect(blocks.map((b) => [b.tag, b.content])).toEqual([
      ['think', ' a\nb '],
      ['answer', '1'],
      ['answer', '2'],
    ]);
  });

  it('needs the closing tag of the same name (backreference)', () => {
    expect(findTagBlocks('<search>x</answer>')).toEqual([]);
  });

  it('does not return blocks nested in an earlier match (non-overlapping)', () => {
    expect(findTagBlocks('<information><answer>x</answer></information>').map((b) => b.tag)).toEqual(['information']);
  });
});

describe('extractAnswer: the last <answer> block, stripped', () => {
  it('takes the last of several answer blocks', () => {
    expect(extractAnswer('<answer> x </answer> then <answer>\n y \n</answer>')).toBe('y');
  });

  it('returns undefined when there is no complete answer block', () => {
    expect(extractAnswer('no answer here')).toBeUndefined();
    expect(extractAnswer('<answer>open')).toBeUndefined();
  });

  it('keeps inner newlines of a multiline answer', () => {
    expect(extractAnswer('<answer>line1\nline2</answer>')).toBe('line1\nline2');
  });

  it('strips with Python whitespace: U+00A0 removed, U+FEFF kept', () => {
    expect(extractAnswer('<answer>\u00a0Paris\u00a0</answer>')).toBe('Paris');
    expect(extractAnswer('<answer>\ufeffParis</answer>')).toBe('\ufeffParis');
  });

  it('finds an answer block anywhere, even inside an information block', () => {
    expect(extractAnswer('<information><answer>quoted</answer></information>')).toBe('quoted');
  });
});

describe('routeCount: valid searches over the <(search|answer)> blocks', () => {
  it('counts every valid search', () => {
    expect(routeCount('<search>Qwen: a?</search><search>gemma: b?</search>')).toBe(2);
  });

  it('is 0 without searches', () => {
    expect(routeCount(`${THINK}${ANSWER}`)).toBe(0);
  });

  it('keeps the reference quirk: after an invalid search no later search counts', () => {
    expect(routeCount('<search>Qwen: a?</search><search>nonsense</search><search>gemma: b?</search>')).toBe(1);
    expect(routeCount('<search>Qwen a</search><search>Qwen: b?</search>')).toBe(0);
  });

  it('ignores answer blocks, even ones that look like routes', () => {
    expect(routeCount('<answer>Qwen: a?</answer><search>Qwen: b?</search>')).toBe(1);
  });

  it('treats an unresolvable name as an invalid search (and so stops counting)', () => {
    expect(routeCount('<search>GPT-4o: a?</search><search>Qwen: b?</search>')).toBe(0);
  });

  it('treats several colons, a placeholder or an empty query as invalid', () => {
    expect(routeCount('<search>Qwen: a: b</search><search>Qwen: c</search>')).toBe(0);
    expect(routeCount('<search>LLM-Name: Your-Query</search>')).toBe(0);
    expect(routeCount('<search>Qwen:  </search>')).toBe(0);
  });

  it('does NOT apply the name-in-query rule (that is a format rule only)', () => {
    expect(routeCount('<search>Qwen: is qwen good?</search>')).toBe(1);
    expect(formatReward(withRoute('Qwen: is qwen good?'))).toBe(-1);
  });
});
