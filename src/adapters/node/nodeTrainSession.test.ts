/**
 * The ONNX learner (core/learner/onnxLearner.ts) on onnxruntime-node (and one case on onnxruntime-web
 * wasm in Node): its loss, log-probs and entropy equal the float64 oracle (referenceTraining.ts) within
 * 1e-4, its loss is rlObjective's on its own outputs, its gradients match central differences of the
 * oracle, the reference policy is frozen, and the supervised loss matches the oracle too. With a value
 * head (PPO) the same checks cover the values, the clipped value loss and the head's gradients.
 * The loop over it (reward improves, determinism, resume, NaN) is in onnxTrainLoop.test.ts.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rolloutSequences } from '../../testing/rolloutSequences';
import { parseDecoderConfig, type DecoderConfig } from '../../core/onnx/decoderConfig';
import { TINY_DECODER_CONFIGS } from '../../testing/tinyDecoders';
import { createSeededUniform } from '../../core/onnx/weights';
import { randomDecoderWeights, type WeightTensor } from '../../core/onnx/weights';
import { rlObjective } from '../../core/rl/losses';
import { buildTrainInputs, tokenWeights, type TrainBatch } from '../../core/learner/trainBatch';
import { LORA_ATTENTION_QV } from '../../core/autodiff/lora';
import { createOnnxLearner, type OnnxLearner, type OpenTrainSession } from '../../core/learner/onnxLearner';
import { float64Weights, mergeLoraFloat64, referenceTrainingLoss, type ReferenceTensor, type ReferenceWeights } from '../../core/autodiff/referenceTraining';
import type { TrainingBatch } from '../../core/learner/trainFeeds';
import { VALUE_HEAD_PARAMS, type TrainableSet } from '../../core/autodiff/trainGraph';
import { webTrainSessions } from '../ort/webTrainSession';
import { nodeTrainSessions } from './nodeTrainSession';

const config = parseDecoderConfig(TINY_DECODER_CONFIGS.qwen2Gqa);
const weights = randomDecoderWeights(config, createSeededUniform(11));
const node = nodeTrainSessions({ intraOpThreads: 1 });
const wasm = webTrainSessions({ preferred: 'wasm', env: { wasmPaths: fileURLToPath(new URL('../../../node_modules/onnxruntime-web/dist/', import.meta.url)), numThreads: 1 } });

/** A TrainBatch around the current policy: old log-probs so that some ratios clip, a nearby reference. */
async function policyBatch(learner: OnnxLearner, seed: number): Promise<TrainBatch> {
  const inputs = buildTrainInputs(rolloutSequences(config.vocabSize, seed));
  const current = await learner.logProbs(inputs);
  const rng = createSeededUniform(seed + 1);
  const n = inputs.batchSize * inputs.seqLen;
  const ratios = [0.5, 1.5, 1.0, 0.9, 1.1, 1.3];
  const oldLogProbs = Float32Array.from({ length: n }, (_, i) => (current[i] as number) - Math.log(ratios[i % ratios.length] as number));
  const refLogProbs = Float32Array.from({ length: n }, (_, i) => (current[i] as number) + (rng() - 0.5) * 0.6);
  const advantages = Float32Array.from({ length: n }, (_, i) => [1, -1, 0.5, -0.3][i % 4] as number);
  return {
    ...inputs,
    tokenWeights: tokenWeights(inputs.lossMask, inputs.batchSize, inputs.seqLen, 'seq-mean-token-mean'),
    advantages,
    oldLogProbs,
    refLogProbs,
    returns: null,
    oldValues: null,
    loss: { clipRatio: 0.2, klCoef: 0.5, entropyCoef: 0.05, valueCoef: 0, valueClip: 0.5 },
  };
}

/** PPO: returns and old values around the head's current values, so some value terms clip (valueClip 0.2). */
async function withValues(learner: OnnxLearner, b: TrainBatch): Promise<TrainBatch> {
  const v = await learner.values?.(b);
  if (v === undefined) throw new Error('the learner has no value head');
  const offsets = [[-0.5, 0.4], [-0.5, -0.6], [0.05, 0.3], [0.5, -0.2], [0.6, 0.9]] as const;
  const at = (i: number, k: 0 | 1): number => (v[i] as number) + (offsets[i % offsets.length] as readonly [number, number])[k];
  return {
    ...b,
    oldValues: Float32Array.from({ length: v.length }, (_, i) => at(i, 0)),
    returns: Float32Array.from({ length: v.length }, (_, i) => at(i, 1)),
    loss: { ...b.loss, valueCoef: 0.7, valueClip: 0.2 },
  };
}

const rows = (a: ArrayLike<number>, B: number, T: number): number[][] => Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => a[b * T + t] as number));

/** The oracle's view of a TrainBatch (token weights as a weighted-sum mask). */
function oracleBatch(b: TrainBatch): TrainingBatch {
  const { batchSize: B, seqLen: T } = b;
  return { inputIds: rows(b.inputIds, B, T), attentionMask: rows(b.attentionMask, B, T), lossMask: rows(b.tokenWeights, B, T), advantages: rows(b.advantages, B, T), oldLogProbs: rows(b.oldLogProbs, B, T), refLogProbs: rows(b.refLogProbs ?? b.oldLogProbs, B, T), ...(b.returns === null || b.oldValues === null ? {} : { returns: rows(b.returns, B, T), oldValues: rows(b.oldValues, B, T) }) };
}

function oracle(c: DecoderConfig, trainable: TrainableSet, b: TrainBatch) {
  const base = float64Weights(weights);
  const valueHead = b.returns !== null;
  const head = (p: ReferenceWeights): [string, ReferenceTensor][] => (valueHead ? Object.values(VALUE_HEAD_PARAMS).map((n): [string, ReferenceTensor] => [n, p.get(n) as ReferenceTensor]) : []);
  const full = (p: ReferenceWeights): ReferenceWeights => (trainable.kind === 'lora' ? new Map([...mergeLoraFloat64(c, base, trainable.lora, p), ...head(p)]) : new Map([...base, ...p]));
  const hyper = { clipEpsilon: b.loss.clipRatio, klCoef: b.loss.klCoef, entropyCoef: b.loss.entropyCoef, valueCoef: b.loss.valueCoef, valueClip: b.loss.valueClip };
  return (p: ReferenceWeights) => referenceTrainingLoss(c, full(p), oracleBatch(b), { loss: 'policy', reduction: 'weightedSum', hyper, valueHead });
}

const paramsAsWeights = (l: OnnxLearner): Map<string, WeightTensor> => new Map([...l.params()].map(([n, d]) => [n, { data: d, shape: l.paramInfo.find((p) => p.name === n)?.shape ?? [] }]));

async function checkAgainstOracle(open: OpenTrainSession, trainable: TrainableSet, valueHead = false): Promise<void> {
  const lora = trainable.kind === 'lora';
  const learner = await createOnnxLearner({ config, weights, trainable, open, loraRng: createSeededUniform(23), valueHead });
  try {
    expect(learner.hasValueHead).toBe(valueHead);
    expect(learner.values === undefined).toBe(!valueHead);
    if (valueHead) {
      // the head starts at 0; move it so the backbone gets a value gradient to check
      const rng = createSeededUniform(31);
      for (const name of Object.values(VALUE_HEAD_PARAMS)) {
        const t = learner.params().get(name) as Float32Array;
        expect(Array.from(t).every((x) => x === 0)).toBe(true);
        for (let i = 0; i < t.length; i++) t[i] = (rng() - 0.5) * 0.6;
      }
    }
    if (lora) {
      // B ≠ 0 so both adapters carry gradient (a fresh B = 0 gives A none)
      const rng = createSeededUniform(29);
      for (const [n, t] of learner.params()) if (n.endsWith('lora_B.weight')) for (let i = 0; i < t.length; i++) t[i] = (rng() - 0.5) * 0.4;
    }
    const grpoBatch = await policyBatch(learner, 5);
    const batch = valueHead ? await withValues(learner, grpoBatch) : grpoBatch;
    const out = await learner.computeLossAndGrads(batch);
    const f = oracle(config, trainable, batch);
    const ref = f(float64Weights(paramsAsWeights(learner)));
    // 1. forward: loss, log-probs, entropy within 1e-4 of float64
    expect(Math.abs(out.loss - ref.value.loss)).toBeLessThan(1e-4);
    const T = batch.seqLen;
    ref.defined.forEach((r, b) =>
      r.forEach((ok, t) => {
        if (!ok) return;
        expect(Math.abs((out.logProbs[b * T + t] as number) - (ref.logProbs[b]?.[t] as number))).toBeLessThan(1e-4);
        expect(Math.abs((out.entropy[b * T + t] as number) - (ref.entropy[b]?.[t] as number))).toBeLessThan(1e-4);
      }),
    );
    if (valueHead) {
      expect(out.values, 'values').toBeDefined();
      ref.defined.forEach((r, b) => r.forEach((ok, t) => ok && expect(Math.abs((out.values?.[b * T + t] as number) - (ref.values?.[b]?.[t] as number))).toBeLessThan(1e-4)));
      expect(Array.from((await learner.values?.(batch)) ?? [])).toEqual(Array.from(out.values ?? []));
      const obj = rlObjective(batch, out);
      expect(obj.parts.valueLoss).toBeGreaterThan(0);
      // some trained tokens take the clipped value term (no gradient to v), some the unclipped one
      const dv = Array.from(obj.dValues).filter((_, i) => (batch.tokenWeights[i] as number) > 0);
      expect(dv.some((d) => d === 0)).toBe(true);
      expect(dv.some((d) => d !== 0)).toBe(true);
      // the value head is trained and checkpointed, never exported into the inference model
      expect([...learner.params().keys()].slice(-2)).toEqual(Object.values(VALUE_HEAD_PARAMS));
      for (const n of Object.values(VALUE_HEAD_PARAMS)) expect(learner.currentWeights().has(n)).toBe(false);
    } else {
      expect(out.values).toBeUndefined();
    }
    // 2. the port's contract: L = rlObjective(batch, forward).value
    expect(Math.abs(out.loss - rlObjective(batch, out).value)).toBeLessThan(1e-5);
    // 3. gradients: central differences of the oracle on two coordinates of every tensor
    const rng = createSeededUniform(101);
    for (const [name, g] of out.grads) {
      let max = 0;
      for (const x of g) max = Math.max(max, Math.abs(x));
      const big = Array.from(g.keys()).filter((i) => Math.abs(g[i] as number) >= 0.1 * max);
      for (let k = 0; k < 2; k++) {
        const i = big[Math.floor(rng() * big.length)] ?? 0;
        const at = (delta: number): number => {
          const p = float64Weights(paramsAsWeights(learner));
          const t = p.get(name) as { data: Float64Array };
          t.data[i] = (t.data[i] as number) + delta;
          return f(p).value.loss;
        };
        const fd = (at(1e-3) - at(-1e-3)) / 2e-3;
        const rel = Math.abs((g[i] as number) - fd) / Math.max(Math.abs(g[i] as number), Math.abs(fd), 1e-6);
        expect(rel, name).toBeLessThan(1e-2);
      }
    }
  } finally {
    await learner.dispose();
  }
}

describe('ONNX learner on onnxruntime-node', () => {
  it('full training: loss, log-probs and entropy equal the float64 reference within 1e-4; gradients match central differences', async () => {
    await checkAgainstOracle(node, { kind: 'full' });
  });

  it('LoRA (q, v) training: the same checks on the adapters', async () => {
    await checkAgainstOracle(node, { kind: 'lora', lora: { rank: 2, alpha: 4, targets: LORA_ATTENTION_QV } });
  });

  it.each([
    ['full', { kind: 'full' }],
    ['LoRA (q, v)', { kind: 'lora', lora: { rank: 2, alpha: 4, targets: LORA_ATTENTION_QV } }],
  ] as const)('%s training with a value head (PPO): values, clipped value loss = rlObjective, head and backbone gradients match central differences', async (_label, trainable) => {
    await checkAgainstOracle(node, trainable, true);
  });

  it('with a value head, the supervised warm-up gives the head a zero gradient for every params() tensor', async () => {
    const learner = await createOnnxLearner({ config, weights, trainable: { kind: 'full' }, open: node, valueHead: true });
    try {
      const inputs = buildTrainInputs(rolloutSequences(config.vocabSize, 4));
      const out = await learner.crossEntropyLossAndGrads(inputs, tokenWeights(inputs.lossMask, inputs.batchSize, inputs.seqLen, 'token-mean'));
      expect([...out.grads.keys()]).toEqual([...learner.params().keys()]);
      for (const n of Object.values(VALUE_HEAD_PARAMS)) expect(Array.from(out.grads.get(n) ?? [1]).every((x) => x === 0)).toBe(true);
    } finally {
      await learner.dispose();
    }
  });

  it('the reference policy stays the initial weights while the params move; LoRA reference = adapters off', async () => {
    const full = await createOnnxLearner({ config, weights, trainable: { kind: 'full' }, open: node });
    const lora = await createOnnxLearner({ config, weights, trainable: { kind: 'lora', lora: { rank: 2, alpha: 4, targets: LORA_ATTENTION_QV } }, open: node, loraRng: createSeededUniform(3) });
    try {
      const inputs = buildTrainInputs(rolloutSequences(config.vocabSize, 9));
      const before = await full.logProbs(inputs);
      for (const t of full.params().values()) for (let i = 0; i < t.length; i++) t[i] = (t[i] as number) * 1.1;
      const after = await full.logProbs(inputs);
      const ref = await full.logProbs(inputs, { policy: 'reference' });
      expect(Array.from(ref)).toEqual(Array.from(before));
      expect(Array.from(after)).not.toEqual(Array.from(before));
      // LoRA: move B away from 0; the reference is still the base model (= full learner's initial policy)
      for (const [n, t] of lora.params()) if (n.endsWith('lora_B.weight')) t.fill(0.3);
      const loraRef = await lora.logProbs(inputs, { policy: 'reference' });
      for (let i = 0; i < before.length; i++) expect(Math.abs((loraRef[i] as number) - (before[i] as number))).toBeLessThan(1e-5);
      expect(Math.abs((await lora.logProbs(inputs))[3] as number) - Math.abs(before[3] as number)).not.toBe(0);
      // currentWeights folds the adapters in: W changes for q/v only
      const merged = lora.currentWeights();
      expect(merged.get('model.layers.0.self_attn.q_proj.weight')?.data).not.toEqual(weights.get('model.layers.0.self_attn.q_proj.weight')?.data);
      expect(merged.get('model.layers.0.mlp.up_proj.weight')).toBe(weights.get('model.layers.0.mlp.up_proj.weight'));
    } finally {
      await full.dispose();
      await lora.dispose();
    }
  });

  it('supervised warm-up: cross-entropy equals the float64 reference and matches −Σ w·logπ', async () => {
    const learner = await createOnnxLearner({ config, weights, trainable: { kind: 'full' }, open: node });
    try {
      const inputs = buildTrainInputs(rolloutSequences(config.vocabSize, 4));
      const w = tokenWeights(inputs.lossMask, inputs.batchSize, inputs.seqLen, 'token-mean');
      const out = await learner.crossEntropyLossAndGrads(inputs, w);
      const { batchSize: B, seqLen: T } = inputs;
      const ref = referenceTrainingLoss(config, float64Weights(weights), { inputIds: rows(inputs.inputIds, B, T), attentionMask: rows(inputs.attentionMask, B, T), lossMask: rows(w, B, T) }, { loss: 'crossEntropy', reduction: 'weightedSum' });
      expect(Math.abs(out.loss - ref.value.loss)).toBeLessThan(1e-4);
      let manual = 0;
      for (let i = 0; i < w.length; i++) manual -= (w[i] as number) * (out.logProbs[i] as number);
      expect(Math.abs(out.loss - manual)).toBeLessThan(1e-5);
      expect([...out.grads.keys()]).toEqual([...learner.params().keys()]);
    } finally {
      await learner.dispose();
    }
  });
});

describe('ONNX learner on onnxruntime-web (wasm) in Node', () => {
  it('full training: the same oracle checks (with and without a value head), and the same numbers as onnxruntime-node within 1e-5', async () => {
    await checkAgainstOracle(wasm, { kind: 'full' });
    await checkAgainstOracle(wasm, { kind: 'full' }, true);
    const a = await createOnnxLearner({ config, weights, trainable: { kind: 'full' }, open: node });
    const b = await createOnnxLearner({ config, weights, trainable: { kind: 'full' }, open: wasm });
    try {
      const batch = await policyBatch(a, 8);
      const [x, y] = [await a.computeLossAndGrads(batch), await b.computeLossAndGrads(batch)];
      expect(Math.abs(x.loss - y.loss)).toBeLessThan(1e-5);
      for (const [n, g] of x.grads) {
        const h = y.grads.get(n) as Float32Array;
        let err = 0;
        for (let i = 0; i < g.length; i++) err = Math.max(err, Math.abs((g[i] as number) - (h[i] as number)));
        expect(err, n).toBeLessThan(1e-4);
      }
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });
});
