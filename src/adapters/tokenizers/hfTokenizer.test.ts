import { describe, expect, it } from 'vitest';
import { createRng } from '../../core/math/rng';
import { generateToEnd } from '../../core/policy/decodeLoop';
import { createFakeLanguageModel, createTurnScript } from '../../testing/fakeLanguageModel';
import { TokenizerMismatchError } from '../../core/policy/languageModel';
import { buildModelInput, ChatTemplateError } from '../../core/policy/tokenizedChat';
import { byteLevelAlphabet } from '../../core/tokenizer/byteLevel';
import { tinyChatmlTemplate } from '../../core/tokenizer/tinyTokenizer';
import { createChatFraming, renderChatTemplate } from './chatTemplate';
import { createHfTokenizer } from './hfTokenizer';

/** A tiny byte-level BPE tokenizer.json written for this test: 256 bytes, 3 merges, 3 special tokens. */
function tinyTokenizerJson(): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  byteLevelAlphabet().forEach((ch, b) => (vocab[ch] = b));
  vocab['he'] = 256;
  vocab['Ġt'] = 257;
  vocab['Ġthe'] = 258;
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    version: '1.0',
    added_tokens: [special(259, '<|endoftext|>'), special(260, '<|im_start|>'), special(261, '<|im_end|>')],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges: ['h e', 'Ġ t', 'Ġt he'] },
  };
}

/** A minimal ChatML template of our own: a default system turn unless one is given, then the turns. */
const CHATML = tinyChatmlTemplate('You are a tiny test assistant.');

const config = { chat_template: CHATML, eos_token: '<|im_end|>', pad_token: '<|endoftext|>', clean_up_tokenization_spaces: false };

describe('createHfTokenizer', () => {
  const tok = createHfTokenizer(tinyTokenizerJson(), config);

  it('encodes with the merges and without special tokens, and decodes back exactly', () => {
    expect(tok.encode('the theme')).toEqual([byteLevelAlphabet().indexOf('t'), 256, 258, 'm'.charCodeAt(0), 'e'.charCodeAt(0)]);
    for (const text of ['the theme', 'café 日本 😀', ' leading and trailing ', 'a , b . c', '']) expect(tok.decode(tok.encode(text))).toBe(text);
    expect(tok.decode([])).toBe('');
  });

  it('recognises special tokens written as text; decoding can skip them', () => {
    const ids = tok.encode('<|im_start|>user\nhi<|im_end|>');
    expect(ids[0]).toBe(260);
    expect(ids[ids.length - 1]).toBe(261);
    expect(tok.decode(ids)).toBe('<|im_start|>user\nhi<|im_end|>');
    expect(tok.decode(ids, { skipSpecialTokens: true })).toBe('user\nhi');
    expect(tok.eosTokenId).toBe(261);
    expect(tok.specialTokenIds).toEqual([259, 260, 261]);
    expect(tok.vocabSize).toBe(262);
  });

  it('says clearly when tokenizer.json is malformed or does not fit the model', () => {
    expect(() => createHfTokenizer('{"model": {"type": "BPE", "vocab": {', config)).toThrow(TokenizerMismatchError);
    expect(() => createHfTokenizer({ added_tokens: [] }, config)).toThrow(/no "model" with a "vocab"/);
    expect(() => createHfTokenizer({ ...tinyTokenizerJson(), model: { type: 'Mystery', vocab: {} } }, config)).toThrow(TokenizerMismatchError);
    expect(() => createHfTokenizer(tinyTokenizerJson(), config, { modelVocabSize: 200 })).toThrow(/262 tokens but the model has only 200 logits/);
    expect(() => createHfTokenizer(tinyTokenizerJson(), config, { modelVocabSize: 300 })).not.toThrow();
    expect(() => tok.decode([999])).toThrow(TokenizerMismatchError);
  });
});

describe('renderChatTemplate', () => {
  it('renders one user message with the default system turn and the generation prompt', () => {
    expect(renderChatTemplate(config, [{ role: 'user', content: 'Who wrote Dune?' }], { add_generation_prompt: true })).toBe(
      '<|im_start|>system\nYou are a tiny test assistant.<|im_end|>\n<|im_start|>user\nWho wrote Dune?<|im_end|>\n<|im_start|>assistant\n',
    );
    expect(renderChatTemplate(config, [{ role: 'system', content: 'S' }, { role: 'user', content: 'U' }])).toBe('<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n');
  });

  it('picks a named template from a list, and says when there is none', () => {
    const listed = { chat_template: [{ name: 'default', template: '{{ messages[0].content }}!' }, { name: 'tool_use', template: 'T' }] };
    expect(renderChatTemplate(listed, [{ role: 'user', content: 'x' }])).toBe('x!');
    expect(renderChatTemplate(listed, [{ role: 'user', content: 'x' }], { templateName: 'tool_use' })).toBe('T');
    expect(() => renderChatTemplate({}, [{ role: 'user', content: 'x' }])).toThrow(ChatTemplateError);
    expect(() => renderChatTemplate({ chat_template: '{% if %}' }, [{ role: 'user', content: 'x' }])).toThrow(ChatTemplateError);
  });
});

describe('chat framing and generation over a real tokenizer', () => {
  const tok = createHfTokenizer(tinyTokenizerJson(), config);
  const framing = createChatFraming(config, tok);
  const prompt = 'Who wrote the Dune books?';

  it('frames the prompt so that the model input decodes to the rendered chat plus the response', () => {
    expect(framing.prefixIds[0]).toBe(260);
    const response = '<think>the theme</think>';
    const ids = buildModelInput(framing, tok, { promptText: prompt, contextTokenIds: [...tok.encode(prompt), ...tok.encode(response)] });
    expect(tok.decode(ids)).toBe(renderChatTemplate(config, [{ role: 'user', content: prompt }], { add_generation_prompt: true }) + response);
  });

  it('streams byte-level tokens (split UTF-8 included) and stops on </answer>', async () => {
    const turn = '<think>the café</think>\n<answer>naïve</answer>';
    const model = createFakeLanguageModel({
      vocabSize: 262,
      eosTokenIds: [261],
      prefer: createTurnScript({ tokenizer: tok, turns: [turn + ' extra'], responseMarker: '<|im_start|>assistant\n' }),
    });
    const pieces: string[] = [];
    const r = await generateToEnd(
      model,
      tok,
      { promptText: prompt, contextText: '', contextTokenIds: tok.encode(prompt), roundIndex: 0, routingEnabled: true, maxNewTokens: 100, stop: ['</search>', '</answer>'] },
      { sampling: { temperature: 1, topP: 0.95, topK: 0 }, rng: createRng(1), now: () => 0, framing, onEvent: (e) => e.type === 'token' && pieces.push(e.text) },
    );
    expect(r.text).toBe(turn);
    expect(r.stopReason).toBe('stop-string');
    expect(pieces.join('')).toBe(turn);
    expect(pieces).toContain(''); // 'é' is two byte-level tokens
  });
});
