/**
 * Micro-batching in the ONNX learner (core/learner/onnxLearner.ts `maxRunBytes`) on onnxruntime-node: with a
 * run budget that forces 2–3 row chunks, the policy loss (KL on, with and without a value head), its log-probs,
 * entropy, values and every gradient, the forward-only log-probs and values, and the supervised cross-entropy
 * equal the unchunked run within 1e-5 (relative to each tensor's scale); a budget below one row fails with a
 * message naming the sequence length, the estimate and what to lower.
 */
import { describe, expect, it } from 'vitest';
import { rolloutSequences } from '../../testing/rolloutSequences';
import { parseDecoderConfig } from '../../core/onnx/decoderConfig';
import { TINY_DECODER_CONFIGS } from '../../testing/tinyDecoders';
import { createSeededUniform } from '../../core/onnx/weights';
import { randomDecoderWeights } from '../../core/onnx/weights';
import { buildTrainInputs, tokenWeights, type TrainBatch } from '../../core/learner/trainBatch';
import type { LearnerOutput } from '../../core/learner/learner';
import { estimateTrainMemory } from '../../core/learner/memoryEstimate';
import { createOnnxLearner, OnnxLearnerError, type OnnxLearner, type OpenTrainSession } from '../../core/learner/onnxLearner';
import { LORA_ATTENTION_QV } from '../../core/autodiff/lora';
import type { TrainableSet } from '../../core/autodiff/trainGraph';
import { nodeTrainSessions } from './nodeTrainSession';

const config = parseDecoderConfig(TINY_DECODER_CONFIGS.qwen2Gqa);
const weights = randomDecoderWeights(config, createSeededUniform(11));
const node = nodeTrainSessions({ intraOpThreads: 1 });

/** Counts session runs (chunks) across every session the learner opens. */
function counting(open: OpenTrainSession): { open: OpenTrainSession; runs: () => number } {
  let runs = 0;
  return {
    open: async (bytes) => {
      const s = await open(bytes);
      return { run: (feeds, fetches) => ((runs += 1), s.run(feeds, fetches)), release: () => s.release() };
    },
    runs: () => runs,
  };
}

function batchOf(seed: number, valueHead: boolean): TrainBatch {
  const inputs = buildTrainInputs(rolloutSequences(config.vocabSize, seed));
  const n = inputs.batchSize * inputs.seqLen;
  const rng = createSeededUniform(seed + 1);
  const near = (): number => -7 + (rng() - 0.5) * 1.5; // log-probs around the tiny model's ≈ −ln V
  return {
    ...inputs,
    tokenWeights: tokenWeights(inputs.lossMask, inputs.batchSize, inputs.seqLen, 'seq-mean-token-mean'),
    advantages: Float32Array.from({ length: n }, (_, i) => [1, -1, 0.5, -0.3][i % 4] as number),
    oldLogProbs: Float32Array.from({ length: n }, near),
    refLogProbs: Float32Array.from({ length: n }, near),
    returns: valueHead ? Float32Array.from({ length: n }, () => rng() - 0.5) : null,
    oldValues: valueHead ? Float32Array.from({ length: n }, () => (rng() - 0.5) * 0.2) : null,
    loss: { clipRatio: 0.2, klCoef: 0.5, entropyCoef: 0.05, valueCoef: valueHead ? 0.7 : 0, valueClip: 0.2 },
  };
}

/** |a − b| ≤ 1e-5 · max(|b|) elementwise (float32 sums in another order). */
function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  expect(a.length, what).toBe(b.length);
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i] as number));
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  expect(worst, `${what}: max |Δ| ${worst} vs scale ${scale}`).toBeLessThanOrEqual(1e-5 * Math.max(scale, 1e-30));
}

function expectSameOutput(a: LearnerOutput, b: LearnerOutput): void {
  expectClose([a.loss], [b.loss], 'loss');
  expectClose(a.logProbs, b.logProbs, 'logProbs');
  expectClose(a.entropy, b.entropy, 'entropy');
  if (b.values !== undefined) expectClose(a.values ?? [], b.values, 'values');
  expect([...a.grads.keys()]).toEqual([...b.grads.keys()]);
  for (const [name, g] of b.grads) expectClose(a.grads.get(name) ?? [], g, name);
}

/** A budget that fits `rows` rows of this batch's length in a gradient run, not one more. */
function budgetFor(rows: number, trainable: TrainableSet, valueHead: boolean, seqLen: number): number {
  const e = estimateTrainMemory({ config, trainable, valueHead, rows: 1, seqLen });
  return e.fixedBytes + rows * e.perRowBytes + e.perRowBytes / 2;
}

async function pair(trainable: TrainableSet, valueHead: boolean, rowsPerChunk: number, seqLen: number): Promise<{ whole: OnnxLearner; chunked: OnnxLearner; runs: () => number }> {
  const make = (open: OpenTrainSession, maxRunBytes: number) => createOnnxLearner({ config, weights, trainable, open, valueHead, loraRng: createSeededUniform(23), maxRunBytes });
  const c = counting(node);
  const [whole, chunked] = await Promise.all([make(node, Infinity), make(c.open, budgetFor(rowsPerChunk, trainable, valueHead, seqLen))]);
  for (const l of [whole, chunked]) {
    // B ≠ 0 (LoRA) and a non-zero value head, so every tensor carries gradient
    const rng = createSeededUniform(29);
    for (const [n, t] of l.params()) if (n.endsWith('lora_B.weight') || n.startsWith('value_head')) for (let i = 0; i < t.length; i++) t[i] = (rng() - 0.5) * 0.4;
  }
  return { whole, chunked, runs: c.runs };
}

describe('onnx learner: micro-batching is exact', () => {
  const seqLen = batchOf(5, false).seqLen;
  const cases: [string, TrainableSet, boolean, number][] = [
    ['full, GRPO, 3 chunks', { kind: 'full' }, false, 1],
    ['full, PPO value head, 2 chunks', { kind: 'full' }, true, 2],
    ['LoRA, PPO value head, 3 chunks', { kind: 'lora', lora: { rank: 4, alpha: 8, targets: LORA_ATTENTION_QV } }, true, 1],
  ];
  for (const [name, trainable, valueHead, rowsPerChunk] of cases) {
    it(`${name}: policy loss, log-probs, entropy, values and gradients equal the unchunked run`, async () => {
      const { whole, chunked, runs } = await pair(trainable, valueHead, rowsPerChunk, seqLen);
      try {
        const b = batchOf(5, valueHead);
        const before = runs();
        const got = await chunked.computeLossAndGrads(b);
        expect(runs() - before).toBe(Math.ceil(3 / rowsPerChunk));
        expectSameOutput(got, await whole.computeLossAndGrads(b));
        expectClose(await chunked.logProbs(b), await whole.logProbs(b), 'forward logProbs');
        expectClose(await chunked.logProbs(b, { policy: 'reference' }), await whole.logProbs(b, { policy: 'reference' }), 'reference logProbs');
        if (valueHead) expectClose((await chunked.values?.(b)) ?? [], (await whole.values?.(b)) ?? [], 'forward values');
      } finally {
        await whole.dispose();
        await chunked.dispose();
      }
    }, 60_000);
  }

  it('supervised cross-entropy: loss, log-probs, entropy and gradients equal the unchunked run (3 chunks)', async () => {
    const { whole, chunked, runs } = await pair({ kind: 'full' }, false, 1, seqLen);
    try {
      const b = batchOf(7, false);
      const before = runs();
      const got = await chunked.crossEntropyLossAndGrads(b, b.tokenWeights);
      expect(runs() - before).toBe(3);
      expectSameOutput(got, await whole.crossEntropyLossAndGrads(b, b.tokenWeights));
    } finally {
      await whole.dispose();
      await chunked.dispose();
    }
  }, 60_000);

  it('a budget below one row fails with the sequence length, the estimate and what to lower', async () => {
    const e = estimateTrainMemory({ config, trainable: { kind: 'full' }, rows: 1, seqLen });
    const learner = await createOnnxLearner({ config, weights, trainable: { kind: 'full' }, open: node, maxRunBytes: e.fixedBytes + e.perRowBytes / 2 });
    try {
      const b = batchOf(5, false);
      const err = await learner.computeLossAndGrads(b).catch((x: unknown) => x);
      expect(err).toBeInstanceOf(OnnxLearnerError);
      expect((err as Error).message).toMatch(new RegExp(`One ${seqLen}-token sequence needs about .*(KiB|MiB)`));
      expect((err as Error).message).toMatch(/maxNewTokens, maxTurns or maxObservationTokens.*smaller model/);
    } finally {
      await learner.dispose();
    }
  });
});
