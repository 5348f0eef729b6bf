/**
 * Prompt rendering (DESIGN.md §2.1): the question rule (strip, then '?' unless already last) and
 * Python's `str.format_map` for the template. Python results were checked in CPython 3.11.
 */
import { describe, expect, it } from 'vitest';
import {
  EmptyQuestionError,
  formatTemplate,
  normalizeQuestion,
  renderAgentPrompt,
  renderCompactPrompt,
  renderPrompt,
  TemplateError,
} from './prompt';

describe('normalizeQuestion: strip, then append "?" if the last character is not "?"', () => {
  it('appends "?" to a question without one', () => {
    expect(normalizeQuestion('Who wrote Hamlet')).toBe('Who wrote Hamlet?');
  });

  it('does not double a final "?"', () => {
    expect(normalizeQuestion('Who wrote Hamlet?')).toBe('Who wrote Hamlet?');
  });

  it('strips first, so a "?" before trailing whitespace is not doubled', () => {
    expect(normalizeQuestion('  Who wrote Hamlet? \n')).toBe('Who wrote Hamlet?');
  });

  it('appends "?" directly after the stripped text (no space before it)', () => {
    expect(normalizeQuestion('  Who wrote Hamlet  ')).toBe('Who wrote Hamlet?');
  });

  it('strips Python whitespace (U+00A0, U+3000) but not U+FEFF', () => {
    expect(normalizeQuestion('\u00a0Who\u3000')).toBe('Who?');
    expect(normalizeQuestion('Who\ufeff')).toBe('Who\ufeff?');
  });

  it('only an ASCII "?" counts: a full-width "？" still gets one appended', () => {
    expect(normalizeQuestion('谁？')).toBe('谁？?');
  });

  it('keeps a question that is just "?"', () => {
    expect(normalizeQuestion('?')).toBe('?');
  });

  it('throws EmptyQuestionError for an empty or whitespace-only question', () => {
    expect(() => normalizeQuestion('')).toThrow(EmptyQuestionError);
    expect(() => normalizeQuestion(' \n\u3000')).toThrow(EmptyQuestionError);
  });

  it('gives EmptyQuestionError its name and an actionable message', () => {
    const err = new EmptyQuestionError();
    expect(err.name).toBe('EmptyQuestionError');
    expect(err.message).toMatch(/question/i);
  });
});

describe('formatTemplate: Python str.format_map({field: value})', () => {
  it('replaces the named field, every time it appears', () => {
    expect(formatTemplate('Q: {question} / {question}', { question: 'x?' })).toBe('Q: x? / x?');
  });

  it('turns "{{" and "}}" into literal braces', () => {
    expect(formatTemplate('{{question}} {{ {question} }}', { question: 'x' })).toBe('{question} { x }');
  });

  it('inserts the value literally (braces in the value are not parsed)', () => {
    expect(formatTemplate('[{question}]', { question: '{x}}' })).toBe('[{x}}]');
  });

  it('throws TemplateError for an unknown field (Python KeyError)', () => {
    expect(() => formatTemplate('Q: {name}', { question: 'x' })).toThrow(TemplateError);
  });

  it('throws TemplateError for a single "}" (Python ValueError)', () => {
    expect(() => formatTemplate('a}b', { question: 'x' })).toThrow(TemplateError);
    expect(() => formatTemplate('{question}}', { question: 'x' })).toThrow(TemplateError);
  });

  it('throws TemplateError for an unclosed "{" (Python ValueError)', () => {
    expect(() => formatTemplate('Q: {question', { question: 'x' })).toThrow(TemplateError);
  });

  // Names inherited from Object.prototype must not be found: Python raises KeyError.
  it('throws TemplateError for a field named like an Object.prototype member (Python KeyError)', () => {
    expect(() => formatTemplate('{toString}', { question: 'x' })).toThrow(TemplateError);
  });

  // Python accepts a !s conversion or an empty format spec on a string field.
  it('applies an empty format spec and !s conversion as Python does', () => {
    expect(formatTemplate('{question!s}|{question:}', { question: 'x' })).toBe('x|x');
  });
});

describe('renderPrompt: the template with {question} replaced by the normalised question', () => {
  it('normalises the question before formatting', () => {
    expect(renderPrompt('Answer this: {question}\n', '  who wrote Hamlet ')).toBe('Answer this: who wrote Hamlet?\n');
  });

  it('throws EmptyQuestionError for an empty question', () => {
    expect(() => renderPrompt('Q: {question}', '   ')).toThrow(EmptyQuestionError);
  });
});

describe('renderAgentPrompt: the candidate prompt with {query} replaced', () => {
  it('inserts the query as sent, unstripped', () => {
    expect(renderAgentPrompt('Q:{query}|', ' capital of France ')).toBe('Q: capital of France |');
  });
});

describe('renderCompactPrompt: the project’s own template', () => {
  const pool = [
    { name: 'Qwen2.5-7B-Instruct', pricePer1M: 0.3 },
    { name: 'LLaMA-3.1-70B-Instruct', pricePer1M: 0.88 },
    { name: 'Mistral-7B-Instruct', pricePer1M: 0.2 },
  ];

  it('lists every pool name with its price per 1M tokens', () => {
    const prompt = renderCompactPrompt(pool, 'x');
    expect(prompt).toContain('Models: Qwen2.5-7B-Instruct ($0.3/M); LLaMA-3.1-70B-Instruct ($0.88/M); Mistral-7B-Instruct ($0.2/M)\n');
  });

  it('ends with the normalised question', () => {
    expect(renderCompactPrompt(pool, ' who wrote Hamlet ')).toMatch(/\nQuestion: who wrote Hamlet\?$/);
  });

  it('explains the four tags', () => {
    const prompt = renderCompactPrompt(pool, 'x');
    for (const tag of ['<think>', '<search>', '<information>', '<answer>']) expect(prompt).toContain(tag);
  });

  it('throws EmptyQuestionError for an empty question', () => {
    expect(() => renderCompactPrompt(pool, '')).toThrow(EmptyQuestionError);
  });
});
