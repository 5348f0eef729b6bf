/**
 * The training graphs (core/train) on onnxruntime-node and on onnxruntime-web's wasm backend in Node,
 * against the float64 oracle (core/autodiff/referenceTraining.ts):
 *   - forward: loss, token log-probs and entropy within 1e-4 of the float64 reference forward;
 *   - gradients: every parameter tensor's gradient agrees with central differences (float64, h = 1e-3)
 *     of the reference loss on 3 sampled coordinates, relative error < 1e-2.
 * Coordinates are sampled among those whose gradient is at least a tenth of the tensor's largest, so the
 * check measures the gradient and not float32 noise on near-zero entries; a tensor whose gradient is
 * zero everywhere (LoRA A while B = 0) is checked against the differences with an absolute bound.
 * Configs: qwen2Gqa (GQA, tied, biases), llamaMha (MHA, untied), qwen2WideHead (4:1 GQA, untied, 3 layers).
 * Batches have left and right padding and masked observation tokens; policy batches have clipped and
 * unclipped tokens of both advantage signs, a KL term and an entropy bonus; one more set of policy batches
 * puts three tokens where k3's clamp to 10 acts (one where exp(ref − logp) would overflow float32).
 * Value-head batches (PPO) put the value loss on top: old values and returns around the head's current
 * values so that some tokens take the clipped value term, some the unclipped one with v outside the clip
 * range, and some sit inside it; the head's own tensors and the backbone's are checked the same way.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseDecoderConfig, type DecoderConfig } from '../../core/onnx/decoderConfig';
import { TINY_DECODER_CONFIGS, type TinyDecoderName } from '../../testing/tinyDecoders';
import { createSeededUniform, randomDecoderWeights, type DecoderWeights, type WeightTensor } from '../../core/onnx/weights';
import { LOSS_OUTPUTS, type TrainingLoss } from '../../core/autodiff/lossGraph';
import { initLora, LORA_ALL_LINEAR, LORA_ATTENTION_QV, mergeLora, type LoraConfig } from '../../core/autodiff/lora';
import { float64Weights, mergeLoraFloat64, referenceTrainingLoss, type ReferenceTensor, type ReferenceTrainingResult, type ReferenceWeights } from '../../core/autodiff/referenceTraining';
import { trainingFeeds, type PolicyHyperParams, type TensorFeed, type TrainingBatch } from '../../core/learner/trainFeeds';
import { buildTrainingModel, gradName, VALUE_HEAD_PARAMS, type TrainableSet } from '../../core/autodiff/trainGraph';
import { valueTerm } from '../../core/rl/losses';
import { nodeRunner, wasmRunner, type Outputs, type Runner } from '../../testing/graphRunners';

// --- fixtures -----------------------------------------------------------------------------------

const HYPER: PolicyHyperParams = { clipEpsilon: 0.2, klCoef: 0.5, entropyCoef: 0.05 };
/** Target ratios r = exp(logp − old) and advantages: with ε = 0.2, (0.5, −1) and (1.5, +1) are clipped. */
const RATIOS = [0.5, 1.5, 1.0, 0.5, 1.5, 0.9, 1.1, 1.3, 0.7] as const;
const ADVANTAGES = [1, 1, -0.5, -1, -1, 2, -1.5, 0.8, -0.3] as const;

/** Two rows of 8: row 0 left-padded by 2 with an observation span masked out, row 1 right-padded by 1. */
function tokenBatch(config: DecoderConfig, seed: number): TrainingBatch {
  const rng = createSeededUniform(seed);
  const s = 8;
  const inputIds = [0, 1].map(() => Array.from({ length: s }, () => Math.floor(rng() * config.vocabSize)));
  const attentionMask = [
    [0, 0, 1, 1, 1, 1, 1, 1],
    [1, 1, 1, 1, 1, 1, 1, 0],
  ];
  const lossMask = [
    [0, 0, 0, 1, 0, 0, 1, 1], // first real token and the observation (positions 4, 5) masked
    [0, 1, 1, 0, 1, 1, 1, 0],
  ];
  return { inputIds, attentionMask, lossMask };
}

/**
 * Loss-mask positions ([b, s]) whose ref − logp is set far out, so k3's clamp to 10 acts there:
 * 6 (k3 ≈ 396), −12 (≈ 11) and 100 (exp overflows float32 unless the graph caps the log-ratio).
 * Every other token keeps |ref − logp| ≤ 0.3: all stay far from the kinks at 2.61 and −11.0.
 */
const CLAMPED_REFS: readonly (readonly [number, number, number])[] = [
  [0, 3, 6],
  [1, 4, -12],
  [1, 6, 100],
];

/** old/ref log-probs and advantages around the current policy (reference log-probs), so ratios hit RATIOS. */
function policyBatch(base: TrainingBatch, current: ReferenceTrainingResult, seed: number, clampedRefs: typeof CLAMPED_REFS = []): TrainingBatch {
  const rng = createSeededUniform(seed);
  let k = 0;
  const oldLogProbs: number[][] = [];
  const refLogProbs: number[][] = [];
  const advantages: number[][] = [];
  base.inputIds.forEach((row, b) => {
    const o: number[] = [];
    const r: number[] = [];
    const a: number[] = [];
    row.forEach((_, s) => {
      const logp = current.logProbs[b]?.[s] ?? 0;
      const i = k++ % RATIOS.length;
      o.push(logp - Math.log(RATIOS[i] ?? 1));
      const far = clampedRefs.find(([fb, fs]) => fb === b && fs === s);
      r.push(logp + (far === undefined ? (rng() - 0.5) * 0.6 : far[2]));
      a.push(ADVANTAGES[i] ?? 0);
    });
    oldLogProbs.push(o);
    refLogProbs.push(r);
    advantages.push(a);
  });
  return { ...base, oldLogProbs, refLogProbs, advantages };
}

/** (old value − v, return − v) per token, cycled; with VALUE_HYPER.valueClip = 0.2 they cover every branch of valueTerm. */
const VALUE_OFFSETS: readonly (readonly [number, number])[] = [
  [-0.5, 0.4], // v above the clip range, the clipped term is larger: no gradient to v
  [-0.5, -0.6], // v above the clip range, the unclipped term is larger
  [0.05, 0.3], // inside the range: both terms equal
  [0.5, -0.2], // v below the range, clipped term larger
  [0.1, -0.4], // inside
  [0.6, 0.9], // v below the range, unclipped larger
];
const VALUE_HYPER: PolicyHyperParams = { ...HYPER, valueCoef: 0.7, valueClip: 0.2 };

/** returns and old values around the head's current values (reference `values`), so clipping hits VALUE_OFFSETS. */
function valueBatch(base: TrainingBatch, current: ReferenceTrainingResult): TrainingBatch {
  let k = 0;
  const oldValues: number[][] = [];
  const returns: number[][] = [];
  base.inputIds.forEach((row, b) => {
    const o: number[] = [];
    const r: number[] = [];
    row.forEach((_, s) => {
      const v = current.values?.[b]?.[s] ?? 0;
      const [dOld, dRet] = VALUE_OFFSETS[k++ % VALUE_OFFSETS.length] ?? [0, 0];
      o.push(v + dOld);
      r.push(v + dRet);
    });
    oldValues.push(o);
    returns.push(r);
  });
  return { ...base, oldValues, returns };
}

interface Case {
  config: DecoderConfig;
  valueHead?: boolean;
  hyper?: PolicyHyperParams;
  loss: TrainingLoss;
  trainable: TrainableSet;
  /** Float32 tensors fed to the graph (weights, or adapters). */
  params: Map<string, WeightTensor>;
  batch: TrainingBatch;
  /** Float64 loss as a function of the (float64) trainable tensors. */
  referenceLoss: (params: ReferenceWeights) => ReferenceTrainingResult;
}

const LORA: LoraConfig = { rank: 4, alpha: 8, targets: LORA_ALL_LINEAR };

function makeCase(name: TinyDecoderName, loss: TrainingLoss, kind: 'full' | 'lora', lora: LoraConfig = LORA, clampedRefs: typeof CLAMPED_REFS = [], valueHead = false): Case {
  const config = parseDecoderConfig(TINY_DECODER_CONFIGS[name]);
  const weights = randomDecoderWeights(config, createSeededUniform(11));
  const base64 = float64Weights(weights);
  let params: Map<string, WeightTensor> = weights;
  let forward = (p: ReferenceWeights): ReferenceWeights => p;
  if (kind === 'lora') {
    params = initLora(config, lora, createSeededUniform(23));
    // B ≠ 0 so that A has a gradient to check (a fresh adapter has B = 0: ∂L/∂A = 0)
    const rng = createSeededUniform(29);
    for (const [n, t] of params) if (n.endsWith('lora_B.weight')) params.set(n, { shape: t.shape, data: t.data.map(() => (rng() - 0.5) * 0.4) });
    forward = (p) => mergeLoraFloat64(config, base64, lora, p);
  }
  if (valueHead) {
    // a seeded, non-zero head: a zero weight would send the backbone no value gradient to check
    params = new Map(params);
    const rng = createSeededUniform(31);
    params.set(VALUE_HEAD_PARAMS.weight, { shape: [1, config.hiddenSize], data: Float32Array.from({ length: config.hiddenSize }, () => (rng() - 0.5) * 0.6) });
    params.set(VALUE_HEAD_PARAMS.bias, { shape: [1], data: Float32Array.of(0.1) });
    const decoder = forward;
    forward = (p) => new Map([...decoder(p), ...[VALUE_HEAD_PARAMS.weight, VALUE_HEAD_PARAMS.bias].map((n): [string, ReferenceTensor] => [n, p.get(n) as ReferenceTensor])]);
  }
  const tokens = tokenBatch(config, 5);
  const hyper = valueHead ? VALUE_HYPER : HYPER;
  const spec = { loss, hyper, valueHead } as const;
  const current = (b: TrainingBatch): ReferenceTrainingResult => referenceTrainingLoss(config, forward(float64Weights(params)), b, spec);
  let batch = loss === 'policy' ? policyBatch(tokens, current(tokens), 7, clampedRefs) : tokens;
  if (valueHead) batch = valueBatch(batch, current(batch));
  const trainable: TrainableSet = kind === 'full' ? { kind: 'full' } : { kind: 'lora', lora };
  return { config, loss, trainable, params, batch, valueHead, hyper, referenceLoss: (p) => referenceTrainingLoss(config, forward(p), batch, spec) };
}

// --- checks -------------------------------------------------------------------------------------

const forwardErrors: Record<string, number> = {};
const gradientErrors: Record<string, number> = {};
afterAll(() => {
  console.log('training graph: max |forward − float64 reference| (loss, log-probs, entropy):', JSON.stringify(forwardErrors, null, 1));
  console.log('training graph: max relative gradient error vs central differences, per tensor group:', JSON.stringify(gradientErrors, null, 1));
});

/** `model.layers.1.self_attn.q_proj.lora_A.weight` → `self_attn.q_proj.lora_A.weight`. */
const groupOf = (param: string): string => param.replace(/^model\.layers\.\d+\./, '').replace(/^model\./, '');

async function runCase(label: string, c: Case, open: (bytes: Uint8Array) => Promise<Runner>): Promise<void> {
  const model = buildTrainingModel(c.config, weightsFor(c), { loss: c.loss, trainable: c.trainable, valueHead: c.valueHead === true });
  const runner = await open(model.bytes);
  try {
    const out = await runner.run(trainingFeeds(model, c.batch, c.params, c.hyper ?? HYPER));
    // 1. forward
    const ref = c.referenceLoss(float64Weights(c.params));
    let err = Math.abs((out[LOSS_OUTPUTS.loss]?.[0] ?? NaN) - ref.value.loss);
    const s = c.batch.inputIds[0]?.length ?? 0;
    ref.defined.forEach((row, b) =>
      row.forEach((ok, t) => {
        if (!ok) return;
        err = Math.max(err, Math.abs((out[LOSS_OUTPUTS.logProbs]?.[b * s + t] ?? NaN) - (ref.logProbs[b]?.[t] ?? 0)));
        err = Math.max(err, Math.abs((out[LOSS_OUTPUTS.entropy]?.[b * s + t] ?? NaN) - (ref.entropy[b]?.[t] ?? 0)));
      }),
    );
    if ('kl' in ref.value) {
      err = Math.max(err, Math.abs((out[LOSS_OUTPUTS.kl]?.[0] ?? NaN) - ref.value.kl), Math.abs((out[LOSS_OUTPUTS.pgLoss]?.[0] ?? NaN) - ref.value.pgLoss));
      expect(out[LOSS_OUTPUTS.clipFraction]?.[0]).toBeCloseTo(ref.value.clipFraction, 6);
      expect(ref.value.clipFraction).toBeGreaterThan(0); // some tokens clipped …
      expect(ref.value.clipFraction).toBeLessThan(1); // … and some not
    }
    if (c.valueHead === true) {
      expect(ref.values, 'reference values').toBeDefined();
      err = Math.max(err, Math.abs((out[LOSS_OUTPUTS.valueLoss]?.[0] ?? NaN) - (ref.valueLoss ?? NaN)));
      ref.defined.forEach((row, b) =>
        row.forEach((ok, t) => {
          if (ok) err = Math.max(err, Math.abs((out[LOSS_OUTPUTS.values]?.[b * s + t] ?? NaN) - (ref.values?.[b]?.[t] ?? 0)));
        }),
      );
      // the batch reaches every branch of the clipped value loss on trained tokens
      const branches = new Set<string>();
      ref.defined.forEach((row, b) =>
        row.forEach((ok, t) => {
          if (!ok || (c.batch.lossMask[b]?.[t] ?? 0) === 0) return;
          const v = ref.values?.[b]?.[t] ?? 0;
          const old = c.batch.oldValues?.[b]?.[t] ?? 0;
          const term = valueTerm(v, old, c.batch.returns?.[b]?.[t] ?? 0, c.hyper?.valueClip ?? 0);
          const outside = Math.abs(v - old) > (c.hyper?.valueClip ?? 0);
          branches.add(term.grad === 0 ? 'clipped' : outside ? 'unclipped outside' : 'inside');
        }),
      );
      expect([...branches].sort()).toEqual(['clipped', 'inside', 'unclipped outside']);
    }
    forwardErrors[label] = Math.max(forwardErrors[label] ?? 0, Number.isNaN(err) ? Infinity : err);
    expect(err).toBeLessThan(1e-4);

    // 2. gradients of every trainable tensor
    expect(model.params.map((p) => p.name).sort()).toEqual([...c.params.keys()].sort());
    const rng = createSeededUniform(101);
    for (const p of model.params) {
      const grad = out[gradName(p.name)];
      expect(grad, gradName(p.name)).toBeDefined();
      const rel = checkTensor(c, p.name, grad as Float32Array, rng);
      const key = `${label}: ${groupOf(p.name)}`;
      gradientErrors[key] = Math.max(gradientErrors[key] ?? 0, rel);
      expect(rel, `${p.name}`).toBeLessThan(1e-2);
    }
  } finally {
    await runner.release();
  }
}

/** Base weights for the builder: the full weights, or (LoRA) the frozen base they adapt. */
const weightsFor = (c: Case): DecoderWeights => (c.trainable.kind === 'full' ? c.params : randomDecoderWeights(c.config, createSeededUniform(11)));

describe('training graph with a value head (PPO critic): clipped value loss on top of the policy loss', () => {
  it.each(['full', 'lora'] as const)('onnxruntime-node, %s training: forward (values, value loss) matches float64, gradients of every tensor (value_head.* included) match central differences', async (kind) => {
    await runCase(`node qwen2Gqa policy ${kind} value-head`, makeCase('qwen2Gqa', 'policy', kind, LORA, [], true), nodeRunner);
  });
  it('onnxruntime-node, llamaMha full training: the same checks', async () => {
    await runCase('node llamaMha policy full value-head', makeCase('llamaMha', 'policy', 'full', LORA, [], true), nodeRunner);
  });
  it('onnxruntime-web (wasm), full training: the same checks', async () => {
    await runCase('wasm qwen2Gqa policy full value-head', makeCase('qwen2Gqa', 'policy', 'full', LORA, [], true), wasmRunner);
  });
});

/** Max relative error over 3 sampled coordinates (absolute when the tensor's gradient is all zero). */
function checkTensor(c: Case, name: string, grad: Float32Array, rng: () => number): number {
  const h = 1e-3;
  let max = 0;
  for (const g of grad) max = Math.max(max, Math.abs(g));
  const big = Array.from(grad.keys()).filter((i) => Math.abs(grad[i] ?? 0) >= 0.1 * max);
  const pool = max > 0 ? big : Array.from(grad.keys());
  let worst = 0;
  for (let k = 0; k < 3; k++) {
    const i = pool[Math.floor(rng() * pool.length)] ?? 0;
    const at = (delta: number): number => {
      const p = float64Weights(c.params);
      const t = p.get(name) as { data: Float64Array };
      t.data[i] = (t.data[i] ?? 0) + delta;
      return c.referenceLoss(p).value.loss;
    };
    const fd = (at(h) - at(-h)) / (2 * h);
    const g = grad[i] ?? 0;
    const err = max > 0 ? Math.abs(g - fd) / Math.max(Math.abs(g), Math.abs(fd)) : Math.abs(g - fd);
    worst = Math.max(worst, err);
  }
  return worst;
}

// --- the suites ---------------------------------------------------------------------------------

describe.each(['qwen2Gqa', 'llamaMha'] as const)('training graph on onnxruntime-node: %s', (name) => {
  it.each([
    ['crossEntropy', 'full'],
    ['policy', 'full'],
    ['crossEntropy', 'lora'],
    ['policy', 'lora'],
  ] as const)('%s loss, %s training: forward matches float64, gradients match central differences', async (loss, kind) => {
    await runCase(`node ${name} ${loss} ${kind}`, makeCase(name, loss, kind), nodeRunner);
  });
});

describe('training graph on onnxruntime-node: qwen2WideHead (4 heads : 1 KV head, 3 layers)', () => {
  it('policy loss, full and LoRA (q, v) training', async () => {
    await runCase('node qwen2WideHead policy full', makeCase('qwen2WideHead', 'policy', 'full'), nodeRunner);
    await runCase('node qwen2WideHead policy lora-qv', makeCase('qwen2WideHead', 'policy', 'lora', { rank: 2, alpha: 4, targets: LORA_ATTENTION_QV, layers: [0, 2] }), nodeRunner);
  });
});

describe('training graph on onnxruntime-web (wasm) in Node: qwen2Gqa', () => {
  it.each([
    ['crossEntropy', 'full'],
    ['policy', 'full'],
    ['policy', 'lora'],
  ] as const)('%s loss, %s training: forward matches float64, gradients match central differences', async (loss, kind) => {
    await runCase(`wasm qwen2Gqa ${loss} ${kind}`, makeCase('qwen2Gqa', loss, kind), wasmRunner);
  });
});

describe('training graph with k3 clamped to 10 (verl low_var_kl) on some tokens', () => {
  const clampedCase = (kind: 'full' | 'lora'): Case => {
    const c = makeCase('qwen2Gqa', 'policy', kind, LORA, CLAMPED_REFS);
    for (const [b, s] of CLAMPED_REFS) expect(c.batch.lossMask[b]?.[s]).toBe(1);
    // the oracle clamps: 3 of the 8 trained tokens at 10, the rest ≪ 1 (unclamped the mean would be ≈ 1e42)
    const kl = (c.referenceLoss(float64Weights(c.params)).value as { kl: number }).kl;
    expect(kl).toBeGreaterThan(30 / 8);
    expect(kl).toBeLessThan(31 / 8);
    return c;
  };
  it.each(['full', 'lora'] as const)('onnxruntime-node, %s training: forward (KL included) matches float64, gradients match central differences', async (kind) => {
    await runCase(`node qwen2Gqa policy ${kind} clamped-k3`, clampedCase(kind), nodeRunner);
  });
  it('onnxruntime-web (wasm), full training: the same checks', async () => {
    await runCase('wasm qwen2Gqa policy full clamped-k3', clampedCase('full'), wasmRunner);
  });
});

describe('LoRA at initialisation', () => {
  it('leaves the model unchanged, gives A no gradient, and merges back exactly', async () => {
    const config = parseDecoderConfig(TINY_DECODER_CONFIGS.qwen2Gqa);
    const weights = randomDecoderWeights(config, createSeededUniform(11));
    const adapters = initLora(config, LORA, createSeededUniform(23));
    const batch = tokenBatch(config, 5);
    const full = buildTrainingModel(config, weights, { loss: 'crossEntropy', trainable: { kind: 'full' } });
    const lora = buildTrainingModel(config, weights, { loss: 'crossEntropy', trainable: { kind: 'lora', lora: LORA } });
    const [a, b] = [await nodeRunner(full.bytes), await nodeRunner(lora.bytes)];
    try {
      const outFull = await a.run(trainingFeeds(full, batch, weights));
      const outLora = await b.run(trainingFeeds(lora, batch, adapters));
      expect(outLora[LOSS_OUTPUTS.loss]?.[0]).toBeCloseTo(outFull[LOSS_OUTPUTS.loss]?.[0] ?? NaN, 5);
      for (const p of lora.params) {
        const g = outLora[gradName(p.name)] as Float32Array;
        const norm = Math.hypot(...g);
        if (p.name.endsWith('lora_A.weight')) expect(norm).toBe(0);
        else expect(norm).toBeGreaterThan(0);
      }
      // fold the adapters in: the merged model's loss equals the adapted graph's
      const rng = createSeededUniform(3);
      const trained = new Map([...adapters].map(([n, t]) => [n, { shape: t.shape, data: t.data.map((x) => x + (rng() - 0.5) * 0.2) }]));
      const merged = mergeLora(config, weights, LORA, trained);
      const adapted = await b.run(trainingFeeds(lora, batch, trained));
      const mergedOut = await a.run(trainingFeeds(full, batch, merged));
      expect(Math.abs((adapted[LOSS_OUTPUTS.loss]?.[0] ?? NaN) - (mergedOut[LOSS_OUTPUTS.loss]?.[0] ?? NaN))).toBeLessThan(1e-4);
    } finally {
      await a.release();
      await b.release();
    }
  });
});
