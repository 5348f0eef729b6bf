import { describe, expect, it } from 'vitest';
import { createRng } from '../math/rng';
import { createByteTokenizer } from '../tokenizer/byteTokenizer';
import { generateGroup, generateToEnd, generateTokens, type GenerationEvent } from './decodeLoop';
import { createFakeLanguageModel, createTurnScript, type FakeLanguageModel } from '../../testing/fakeLanguageModel';
import { commonPrefixLength, planPrefill, prefillContext } from './kvPrefix';
import type { GenerateRequest, Tokenizer } from './ports';
import { frameChatTemplate } from './tokenizedChat';

const bytes = createByteTokenizer();
const EOS = 256;
const V = 257;
const MARKER = '<assistant>\n';
const framing = frameChatTemplate((c) => `<sys>\n<user>\n${c}\n${MARKER}`, bytes);
const PROMPT = 'Route, then answer. Question: Who wrote Dune?';
const STOPS = ['</search>', '</answer>'];
const sampling = { temperature: 1, topP: 0.95, topK: 0 };

const request = (response = '', over: Partial<GenerateRequest> = {}): GenerateRequest => ({
  promptText: PROMPT,
  contextText: response,
  contextTokenIds: [...bytes.encode(PROMPT), ...bytes.encode(response)],
  roundIndex: 0,
  routingEnabled: true,
  maxNewTokens: 200,
  stop: STOPS,
  ...over,
});

const scriptedModel = (turns: string[], eos = true): FakeLanguageModel =>
  createFakeLanguageModel({ vocabSize: V, eosTokenIds: [EOS], prefer: createTurnScript({ tokenizer: bytes, turns, responseMarker: MARKER, ...(eos ? { eosId: EOS } : {}) }) });

/** Records every logits vector the model returns with the ids it had processed. */
function recording(model: FakeLanguageModel): { model: FakeLanguageModel; seen: { ids: number[]; logits: Float32Array }[] } {
  const seen: { ids: number[]; logits: Float32Array }[] = [];
  const forward = model.forward.bind(model);
  return {
    seen,
    model: Object.assign(model, {
      async forward(ids: readonly number[], opts?: { signal?: AbortSignal }) {
        const logits = await forward(ids, opts);
        seen.push({ ids: [...model.cachedIds()], logits });
        return logits;
      },
    }),
  };
}

const opts = (seed = 1, over: Record<string, unknown> = {}) => ({ sampling, rng: createRng(seed).fork('policy.sampling'), now: () => 0, framing, ...over });

describe('kvPrefix', () => {
  it('plans to keep the common prefix and always feed at least one token', () => {
    expect(commonPrefixLength([1, 2, 3], [1, 2, 4])).toBe(2);
    expect(planPrefill([1, 2, 3, 9], [1, 2, 3, 4, 5])).toEqual({ keep: 3, feed: [4, 5] });
    expect(planPrefill([1, 2, 3], [1, 2, 3])).toEqual({ keep: 2, feed: [3] });
    expect(planPrefill([7, 2, 3], [1, 2, 3])).toEqual({ keep: 0, feed: [1, 2, 3] });
  });

  it('truncates or resets the cache, and the logits equal a full recompute', async () => {
    const model = createFakeLanguageModel({ vocabSize: 50 });
    await prefillContext(model, [1, 2, 3, 4, 5, 6]);
    const { logits, plan } = await prefillContext(model, [1, 2, 3, 9, 9]);
    expect(plan).toEqual({ keep: 3, feed: [9, 9] });
    expect(model.cachedIds()).toEqual([1, 2, 3, 9, 9]);
    expect(logits).toEqual(model.logitsFor([1, 2, 3, 9, 9]));
    await prefillContext(model, [4, 5]);
    expect(model.stats).toMatchObject({ resets: 1, truncations: 1, tokensFed: 6 + 2 + 2 });
  });
});

describe('generateTokens', () => {
  it('writes the scripted turn, stops on a stop string split across tokens, and streams text that adds up', async () => {
    const turn = '<think>ask</think>\n<search> Qwen: who?</search>';
    const model = scriptedModel([turn + ' trailing']);
    const events: GenerationEvent[] = [];
    const r = await generateToEnd(model, bytes, request(), { ...opts(), onEvent: (e) => events.push(e) });
    expect(r.text).toBe(turn);
    expect(r.stopReason).toBe('stop-string');
    expect(r.tokenIds).toEqual(bytes.encode(turn));
    expect(r.logProbs).toHaveLength(r.tokenIds.length);
    expect(r.logProbs.every((lp) => lp <= 0 && lp > -1e-6)).toBe(true); // the script is ~certain
    expect(events[0]).toEqual({ type: 'prefilled', reusedTokens: 0, prefilledTokens: framing.prefixIds.length + bytes.encode(PROMPT).length + framing.suffixIds.length });
    const texts = events.flatMap((e) => (e.type === 'token' ? [e.text] : []));
    expect(texts.join('')).toBe(r.text);
    // Prefill + one forward per token except the last (never fed).
    expect(model.stats.forwardCalls).toBe(1 + r.tokenIds.length - 1);
  });

  it('keeps a token that completes a stop string and runs past it, as a whole', async () => {
    // A tokenizer with a piece that holds the end of the tag and more: "</sea" + "rch>\n!".
    const pieces = ['</sea', 'rch>\n!'];
    const tok: Tokenizer = {
      encode: (t) => {
        const out: number[] = [];
        for (let i = 0; i < t.length; ) {
          const p = pieces.findIndex((x) => t.startsWith(x, i));
          if (p >= 0) {
            out.push(200 + p);
            i += (pieces[p] ?? '').length;
          } else out.push(t.charCodeAt(i++));
        }
        return out;
      },
      decode: (ids) => ids.map((id) => (id >= 200 ? (pieces[id - 200] ?? '') : String.fromCharCode(id))).join(''),
    };
    const model = createFakeLanguageModel({ vocabSize: V, eosTokenIds: [EOS], prefer: createTurnScript({ tokenizer: tok, turns: ['<search> A: q</search>\n!more'], responseMarker: MARKER }) });
    const fr = frameChatTemplate((c) => `<user>${c}\n${MARKER}`, tok);
    const r = await generateToEnd(model, tok, { ...request(), contextTokenIds: tok.encode(PROMPT) }, { ...opts(), framing: fr });
    expect(r.text).toBe('<search> A: q</search>\n!');
    expect(r.tokenIds.slice(-2)).toEqual([200, 201]);
  });

  it('decodes UTF-8 split across byte tokens and stops on </answer>', async () => {
    const turn = '<think>café 日本</think>\n<answer>naïve</answer>';
    const events: GenerationEvent[] = [];
    const r = await generateToEnd(scriptedModel([turn]), bytes, request(), { ...opts(), onEvent: (e) => events.push(e) });
    expect(r.text).toBe(turn);
    const tokens = events.filter((e) => e.type === 'token');
    expect(tokens.some((e) => e.text === '')).toBe(true); // a lead byte waited for its continuation
    expect(tokens.map((e) => e.text).join('')).toBe(turn);
    expect(tokens.every((e) => !e.text.includes('\uFFFD'))).toBe(true);
  });

  it('stops on EOS (kept in tokenIds with its log-prob, not in the text) and on max new tokens', async () => {
    const r = await generateToEnd(scriptedModel(['<answer>x']), bytes, request(), opts());
    expect(r.stopReason).toBe('eos');
    expect(r.tokenIds[r.tokenIds.length - 1]).toBe(EOS);
    expect(r.logProbs).toHaveLength(r.tokenIds.length);
    expect(r.text).toBe('<answer>x');
    const model = scriptedModel(['<think>a long thought</think>']);
    const short = await generateToEnd(model, bytes, request('', { maxNewTokens: 5 }), opts());
    expect(short).toMatchObject({ text: '<thin', stopReason: 'max-tokens' });
    expect(model.stats.forwardCalls).toBe(5);
    const none = await generateToEnd(model, bytes, request('', { maxNewTokens: 0 }), opts());
    expect(none).toMatchObject({ text: '', tokenIds: [], stopReason: 'max-tokens' });
  });

  it('is reproducible for a seed and differs across seeds (unscripted model, T = 1)', async () => {
    const run = async (seed: number): Promise<number[]> =>
      (await generateToEnd(createFakeLanguageModel({ vocabSize: V, seed: 5 }), bytes, request('', { maxNewTokens: 30, stop: [] }), opts(seed))).tokenIds;
    expect(await run(1)).toEqual(await run(1));
    expect(await run(1)).not.toEqual(await run(2));
  });

  it('aborts at any token: the events so far are the partial text, and the cache stays consistent', async () => {
    const turn = '<think>a fairly long thought</think>\n<answer>x</answer>';
    const model = scriptedModel([turn]);
    const controller = new AbortController();
    let partial = '';
    let count = 0;
    const gen = generateTokens(model, bytes, request(), { ...opts(), signal: controller.signal });
    await expect(
      (async () => {
        for await (const e of gen) {
          if (e.type !== 'token') continue;
          partial += e.text;
          if (++count === 6) controller.abort(new Error('user cancelled'));
        }
      })(),
    ).rejects.toThrow('user cancelled');
    expect(partial).toBe(turn.slice(0, 6));
    const input = [...framing.prefixIds, ...bytes.encode(PROMPT), ...framing.suffixIds];
    // The 6th token was sampled and yielded but never fed: the abort came first.
    expect(model.cachedIds()).toEqual([...input, ...bytes.encode(turn.slice(0, 5))]);
    // The next call reuses what is cached.
    const again = await generateToEnd(model, bytes, request(), opts());
    expect(again.text).toBe(turn);
    expect(again.reusedTokens).toBe(input.length - 1);
  });

  it('reuses the KV cache across rounds: only the new tokens are prefilled, logits equal a full recompute', async () => {
    const turns = ['<think>t0</think>\n<search> Qwen: a?</search>', '<think>t1</think>\n<search> Llama: b?</search>', '<think>t2</think>\n<answer>c</answer>'];
    const { model, seen } = recording(scriptedModel(turns));
    let response = '';
    const observation = (k: number): string => `\n\n<information>reply ${k}</information>\n\n`;
    for (let round = 0; round < 3; round++) {
      const before = model.stats.tokensFed;
      const req = request(response, { roundIndex: round });
      const r = await generateToEnd(model, bytes, req, opts(round));
      expect(r.text).toBe(turns[round]);
      const fed = model.stats.tokensFed - before;
      const generatedFed = r.tokenIds.length - 1;
      if (round === 0) expect(r.prefilledTokens).toBe(framing.prefixIds.length + bytes.encode(PROMPT).length + framing.suffixIds.length);
      // Round k > 0: the last token of the previous turn (never fed) + the observation.
      else expect(r.prefilledTokens).toBe(1 + bytes.encode(observation(round - 1)).length);
      expect(fed).toBe(r.prefilledTokens + generatedFed);
      response += r.text + (round < 2 ? observation(round) : '');
    }
    // Every logits vector the cached model returned equals the cache-free recompute of its prefix.
    expect(seen.length).toBeGreaterThan(60);
    for (const s of seen) expect(s.logits).toEqual(model.logitsFor(s.ids));
  });

  it('re-prefills after the rolling window cut the prompt, keeping the chat header', async () => {
    const model = scriptedModel(['<answer>x</answer>']);
    await generateToEnd(model, bytes, request(), opts());
    const cut = request('', { contextTokenIds: bytes.encode(PROMPT).slice(10) });
    const r = await generateToEnd(model, bytes, cut, opts());
    expect(r.reusedTokens).toBe(framing.prefixIds.length);
    expect(model.cachedIds().slice(0, framing.prefixIds.length + 3)).toEqual([...framing.prefixIds, ...bytes.encode(PROMPT.slice(10, 13))]);
  });
});

describe('generateGroup', () => {
  it('samples G sequences one after another, prefilling the prompt once; each is reproducible alone', async () => {
    const model = createFakeLanguageModel({ vocabSize: V, seed: 9 });
    const req = request('', { maxNewTokens: 12, stop: [] });
    const group = await generateGroup(model, bytes, req, 4, opts(3));
    expect(group.map((g) => g.prefilledTokens)).toEqual([framing.prefixIds.length + bytes.encode(PROMPT).length + framing.suffixIds.length, 1, 1, 1]);
    expect(new Set(group.map((g) => g.tokenIds.join(','))).size).toBe(4);
    const alone = await generateToEnd(createFakeLanguageModel({ vocabSize: V, seed: 9 }), bytes, req, { ...opts(3), rng: createRng(3).fork('policy.sampling').fork('sample.2') });
    expect(alone.tokenIds).toEqual(group[2]?.tokenIds);
  });
});
