import { describe, expect, it } from 'vitest';
import { createByteTokenizer } from '../tokenizer/byteTokenizer';
import { createFakeLanguageModel, createTurnScript } from '../../testing/fakeLanguageModel';
import { createLanguageModelPolicy, type TokenEvent } from './languageModelPolicy';
import { TokenizerMismatchError } from './languageModel';
import type { GenerateRequest } from './ports';
import { frameChatTemplate } from './tokenizedChat';
import { createCostWindow } from '../reward/costReward';
import { DEFAULT_ENV_SETTINGS } from '../env/trajectory';
import { EXAMPLE_POOL } from '../run/exampleTrajectory';
import { DEFAULT_AGENT_TEMPLATE } from '../protocol/prompt';
import { runEpisodeToEnd, type EpisodeRequest } from '../run/runEpisode';
import { createScriptedCaller } from '../run/scripted';

const bytes = createByteTokenizer();
const MARKER = '<assistant>\n';
const framing = frameChatTemplate((c) => `<sys>\n<user>\n${c}\n${MARKER}`, bytes);
const SMALL = 'LLaMA-3.1-8B-Instruct';
const LARGE = 'LLaMA-3.1-70B-Instruct';
const TURNS = [
  `<think>try the small one</think>\n<search>${SMALL}: Who wrote Dune?</search>`,
  `<think>ask the large one</think>\n<search>${LARGE}: Who wrote Dune?</search>`,
  '<think>it says Herbert</think>\n<answer>Frank Herbert</answer>',
];
const PROMPT = 'Route, then answer. Question: Who wrote Dune?';

const episode = (): EpisodeRequest => ({
  id: 'ep',
  question: { text: 'Who wrote Dune?', goldAnswers: ['Frank Herbert'] },
  template: 'compact',
  prompt: PROMPT,
  pool: EXAMPLE_POOL.map((m) => ({ ...m })),
  agentTemplate: DEFAULT_AGENT_TEMPLATE,
  settings: { ...DEFAULT_ENV_SETTINGS },
  alpha: 0,
});

const sampling = { temperature: 1, topP: 0.95, topK: 0, seed: 42 };

describe('createLanguageModelPolicy', () => {
  it('runs a three-round episode through the environment, streaming tokens and reusing the cache', async () => {
    const model = createFakeLanguageModel({ vocabSize: 257, eosTokenIds: [256], prefer: createTurnScript({ tokenizer: bytes, turns: TURNS, responseMarker: MARKER }) });
    const streamed: string[] = ['', '', ''];
    const fed: number[] = [];
    const policy = createLanguageModelPolicy(model, bytes, {
      id: 'fake',
      sampling,
      framing,
      now: () => 0,
      onToken: (e: TokenEvent, req: GenerateRequest) => (streamed[req.roundIndex] += e.text),
    });
    const generate = policy.generate.bind(policy);
    policy.generate = async (req, o) => {
      const r = await generate(req, o);
      fed.push(r.prefilledTokens);
      return r;
    };
    const replies = { [SMALL]: "Sorry, I can't help.", [LARGE]: 'Frank Herbert wrote Dune.' };
    const t = await runEpisodeToEnd(episode(), { policy, caller: createScriptedCaller(replies), tokenizer: bytes, costWindow: createCostWindow(), now: () => 0 });
    expect(t.status).toBe('answered');
    expect(t.rounds.map((r) => r.text)).toEqual(TURNS);
    expect(streamed).toEqual(TURNS);
    expect(t.reward).toMatchObject({ format: 0, em: 1 });
    expect(t.policy).toEqual({ kind: 'onnx', id: 'fake', sampling: { temperature: 1, topP: 0.95, topK: 0, seed: 42 } });
    expect(t.rounds[0]?.logProbs).toHaveLength(bytes.encode(TURNS[0] ?? '').length);
    // Rounds 1 and 2 prefill the previous turn's last token and the observation only.
    const obs = t.rounds.map((r) => bytes.encode(r.observation?.text ?? '').length);
    expect(fed).toEqual([framing.prefixIds.length + bytes.encode(PROMPT).length + framing.suffixIds.length, 1 + (obs[0] ?? 0), 1 + (obs[1] ?? 0)]);
  });

  it('keeps what streamed before an abort, and the episode ends aborted', async () => {
    const model = createFakeLanguageModel({ vocabSize: 257, prefer: createTurnScript({ tokenizer: bytes, turns: TURNS, responseMarker: MARKER }) });
    const controller = new AbortController();
    let partial = '';
    const policy = createLanguageModelPolicy(model, bytes, {
      id: 'fake',
      sampling,
      framing,
      now: () => 0,
      onToken: (e) => {
        partial += e.text;
        if (partial.length === 10) controller.abort(new Error('stop'));
      },
    });
    const t = await runEpisodeToEnd(episode(), { policy, caller: createScriptedCaller({}), tokenizer: bytes, costWindow: createCostWindow(), now: () => 0, signal: controller.signal });
    expect(t.status).toBe('aborted');
    expect(partial).toBe((TURNS[0] ?? '').slice(0, 10));
  });

  it('serialises concurrent generations on one model', async () => {
    const model = createFakeLanguageModel({ vocabSize: 257, seed: 3 });
    const policy = createLanguageModelPolicy(model, bytes, { id: 'fake', sampling, now: () => 0 });
    const req: GenerateRequest = { promptText: 'ab', contextText: '', contextTokenIds: bytes.encode('ab'), roundIndex: 0, routingEnabled: true, maxNewTokens: 8, stop: [] };
    const [a, b] = await Promise.all([policy.generate(req, {}), policy.generate(req, {})]);
    expect(a.prefilledTokens).toBe(2);
    expect(b.prefilledTokens).toBe(1); // the second waited and reused the first one's prompt
  });

  it('refuses a tokenizer larger than the logits and masks padded ids of a smaller one', async () => {
    const model = createFakeLanguageModel({ vocabSize: 257 });
    expect(() => createLanguageModelPolicy(model, bytes, { id: 'x', sampling, now: () => 0, tokenizerVocabSize: 300 })).toThrow(TokenizerMismatchError);
    const padded = createFakeLanguageModel({ vocabSize: 400, seed: 2 });
    const policy = createLanguageModelPolicy(padded, bytes, { id: 'x', sampling: { ...sampling, topP: 1 }, now: () => 0, tokenizerVocabSize: 256 });
    const r = await policy.generate({ promptText: 'a', contextText: '', contextTokenIds: [97], roundIndex: 0, routingEnabled: true, maxNewTokens: 200, stop: [] }, {});
    expect(r.tokenIds.every((id) => id < 256)).toBe(true);
  });
});
