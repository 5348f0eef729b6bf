/**
 * Turn cutting, action parsing and observations of the episode loop (DESIGN.md §2.2): cut after the first
 * `</search>`, else after the first `</answer>`; the first `<(search|answer)>…</\1>` block is the action;
 * a route is `name: query` with the query between the first and second colon.
 */
import { describe, expect, it } from 'vitest';
import { cutTurn, INVALID_ACTION_NOTICE, parseAction, wrapObservation } from './actions';

describe('cutTurn: after the first </search>, else after the first </answer>', () => {
  it('cuts after the first </search> and drops the rest', () => {
    expect(cutTurn('<think>a</think><search>Qwen: q</search> trailing <search>gemma: r</search>')).toBe(
      '<think>a</think><search>Qwen: q</search>',
    );
  });

  it('prefers </search> even when an </answer> comes earlier', () => {
    const turn = '<answer>x</answer> more <search>Qwen: q</search> tail';
    expect(cutTurn(turn)).toBe('<answer>x</answer> more <search>Qwen: q</search>');
  });

  it('cuts after the first </answer> when there is no </search>', () => {
    expect(cutTurn('<answer>x</answer>junk</answer>')).toBe('<answer>x</answer>');
  });

  it('keeps a turn with neither stop string whole', () => {
    expect(cutTurn('<think>still thinking')).toBe('<think>still thinking');
  });
});

describe('parseAction: the first <(search|answer)> block is the action', () => {
  it('parses an answer, stripped', () => {
    expect(parseAction('<think>t</think><answer>\n Paris \n</answer>')).toEqual({ type: 'answer', answer: 'Paris' });
  });

  it('uses only the first block: a search before an answer is a route', () => {
    const action = parseAction('<search>Qwen: a?</search><answer>b</answer>');
    expect(action.type).toBe('route');
  });

  it('uses only the first block: an answer before a search ends the episode', () => {
    // cutTurn keeps both (it cuts at </search>), and parseAction then sees the answer first.
    const action = parseAction(cutTurn('<answer>x</answer> more <search>Qwen: q</search> tail'));
    expect(action).toEqual({ type: 'answer', answer: 'x' });
  });

  it('parses a route: the name before the first colon (stripped), the query after it (unstripped)', () => {
    expect(parseAction('<search> Qwen2.5-7B : capital of France? </search>')).toEqual({
      type: 'route',
      modelName: 'Qwen2.5-7B',
      query: ' capital of France?',
      content: 'Qwen2.5-7B : capital of France?',
    });
  });

  it('sends only the text between the first and second colon', () => {
    const action = parseAction('<search>Qwen: time: 10:30</search>');
    expect(action).toMatchObject({ type: 'route', modelName: 'Qwen', query: ' time' });
  });

  it('parses a route to an unknown name (resolution is a separate step)', () => {
    expect(parseAction('<search>GPT-4o: q</search>')).toMatchObject({ type: 'route', modelName: 'GPT-4o', query: ' q' });
  });

  it('spans newlines inside a block', () => {
    expect(parseAction('<search>\nQwen:\nline one\n</search>')).toMatchObject({ type: 'route', query: '\nline one' });
  });
});

describe('parseAction: invalid actions (no call, no feedback by default)', () => {
  it('is no-action without a complete search or answer block', () => {
    expect(parseAction('I think the answer is Paris')).toEqual({ type: 'invalid', reason: 'no-action', content: '' });
    expect(parseAction('<search>Qwen: q')).toMatchObject({ reason: 'no-action' });
    expect(parseAction('<search>Qwen: q</answer>')).toMatchObject({ reason: 'no-action' });
    expect(parseAction('<think>only a think</think>')).toMatchObject({ reason: 'no-action' });
  });

  it('is placeholder for llm-name or your-query, case-insensitively', () => {
    expect(parseAction('<search>LLM-Name: Your-Query</search>')).toMatchObject({ type: 'invalid', reason: 'placeholder' });
    expect(parseAction('<search>Qwen: YOUR-QUERY</search>')).toMatchObject({ type: 'invalid', reason: 'placeholder' });
    expect(parseAction('<search>llm-name capital</search>')).toMatchObject({ type: 'invalid', reason: 'placeholder' });
  });

  it('is no-colon without a colon', () => {
    expect(parseAction('<search>Qwen capital of France</search>')).toEqual({
      type: 'invalid',
      reason: 'no-colon',
      content: 'Qwen capital of France',
    });
  });

  it('is empty-query when the query is whitespace', () => {
    expect(parseAction('<search>Qwen:   </search>')).toMatchObject({ type: 'invalid', reason: 'empty-query' });
  });

  it('is empty-query when the part actually sent (first to second colon) is empty', () => {
    expect(parseAction('<search>Qwen: : x</search>')).toMatchObject({ type: 'invalid', reason: 'empty-query' });
  });

  it('is empty-query when the last colon-separated part is empty (reference check)', () => {
    expect(parseAction('<search>Qwen: x :</search>')).toMatchObject({ type: 'invalid', reason: 'empty-query' });
  });
});

describe('wrapObservation: \\n\\n<information>{reply stripped}</information>\\n\\n', () => {
  it('wraps the stripped reply', () => {
    expect(wrapObservation('  Paris\n')).toBe('\n\n<information>Paris</information>\n\n');
  });

  it('strips with Python whitespace (U+00A0 removed, U+FEFF kept)', () => {
    expect(wrapObservation('\u00a0Paris\ufeff')).toBe('\n\n<information>Paris\ufeff</information>\n\n');
  });

  it('writes None for an unknown model or a failed call', () => {
    expect(wrapObservation(undefined)).toBe('\n\n<information>None</information>\n\n');
  });

  it('keeps an empty reply empty (not None)', () => {
    expect(wrapObservation('')).toBe('\n\n<information></information>\n\n');
  });
});

describe('INVALID_ACTION_NOTICE: the optional Search-R1 notice', () => {
  it('shows the route syntax and the answer tags', () => {
    expect(INVALID_ACTION_NOTICE).toContain('<search> Model-Name: query </search>');
    expect(INVALID_ACTION_NOTICE).toContain('<answer> and </answer>');
  });
});
