import { describe, expect, it } from 'vitest';
import { createByteTokenizer } from '../tokenizer/byteTokenizer';
import { buildModelInput, ChatTemplateError, frameChatTemplate, NO_CHAT_FRAMING, promptEndInContext } from './tokenizedChat';

const bytes = createByteTokenizer();
const render = (content: string): string => `<sys>\nYou help.\n<user>\n${content}\n<assistant>\n`;

describe('frameChatTemplate', () => {
  it('splits the rendered chat around the user message', () => {
    const f = frameChatTemplate(render, bytes);
    expect(f.prefixText).toBe('<sys>\nYou help.\n<user>\n');
    expect(f.suffixText).toBe('\n<assistant>\n');
    expect(bytes.decode([...f.prefixIds, ...bytes.encode('Q?'), ...f.suffixIds])).toBe(render('Q?'));
  });

  it('refuses a template that drops or repeats the message', () => {
    expect(() => frameChatTemplate(() => 'no message', bytes)).toThrow(ChatTemplateError);
    expect(() => frameChatTemplate((c) => c + c, bytes)).toThrow(ChatTemplateError);
  });
});

describe('buildModelInput', () => {
  const framing = frameChatTemplate(render, bytes);
  const prompt = 'Who wrote Dune?';
  const promptIds = bytes.encode(prompt);
  const response = bytes.encode('<think>x</think>');

  it('puts the template around the prompt and the response after the assistant header', () => {
    const ids = buildModelInput(framing, bytes, { promptText: prompt, contextTokenIds: [...promptIds, ...response] });
    expect(bytes.decode(ids)).toBe(render(prompt) + '<think>x</think>');
  });

  it('keeps the header when the rolling window cut the start of the prompt', () => {
    const ctx = [...promptIds, ...response].slice(4);
    expect(promptEndInContext(promptIds, ctx)).toBe(promptIds.length - 4);
    const ids = buildModelInput(framing, bytes, { promptText: prompt, contextTokenIds: ctx });
    expect(bytes.decode(ids)).toBe(render(prompt.slice(4)) + '<think>x</think>');
  });

  it('feeds the context as is without a template', () => {
    expect(buildModelInput(NO_CHAT_FRAMING, bytes, { promptText: prompt, contextTokenIds: promptIds })).toEqual(promptIds);
  });
});
