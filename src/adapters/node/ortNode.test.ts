/**
 * Logits parity of our ONNX decoder on onnxruntime-node against the float64 TypeScript reference:
 * three tiny random configs, fp32 within 1e-4, q4 (against the reference on the
 * dequantised weights) within 1e-3, for a prompt and for incremental decoding with the KV cache fed back
 * (single tokens, then a multi-token "round" prefilled on top of the cache), each step compared with a
 * full recompute from scratch. Also left padding in a batch, and a corrupt file's error.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildDecoderModel } from '../../core/onnx/buildDecoder';
import { parseDecoderConfig, type DecoderConfig } from '../../core/onnx/decoderConfig';
import type { Precision } from '../../core/onnx/decoderGraph';
import { effectiveWeights } from '../../core/onnx/effectiveWeights';
import { dequantizeQ4, quantizeQ4 } from '../../core/onnx/quantizeQ4';
import { referenceForward } from '../../core/onnx/referenceForward';
import { TINY_DECODER_CONFIGS, type TinyDecoderName } from '../../testing/tinyDecoders';
import { createSeededUniform } from '../../core/onnx/weights';
import { LINEAR_NAMES, linearPrefix, randomDecoderWeights, type DecoderWeights, type WeightTensor } from '../../core/onnx/weights';
import { createNodeSession, ModelLoadError, runDecoder, type KvCacheArrays, type NodeSession } from './ortNode';

/** Measured max |Δlogit| per config and case, printed once at the end (the numbers quoted in the PR). */
const measured: Record<string, number> = {};
afterAll(() => console.log('max abs logit error vs reference:', JSON.stringify(measured, null, 1)));

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
  return Number.isNaN(m) ? Infinity : m;
}

/** The weights MatMulNBits effectively uses: every linear layer (and an untied head) quantised and back. */
function dequantisedWeights(config: DecoderConfig, weights: DecoderWeights): DecoderWeights {
  const out = new Map<string, WeightTensor>(weights);
  const names = [];
  for (let i = 0; i < config.numLayers; i++) for (const l of LINEAR_NAMES) names.push(`${linearPrefix(i, l)}.weight`);
  if (!config.tieWordEmbeddings) names.push('lm_head.weight');
  for (const name of names) out.set(name, dequantizeQ4(quantizeQ4(weights.get(name) as WeightTensor)));
  return out;
}

function tokensFor(config: DecoderConfig, count: number, seed: number): number[] {
  const rng = createSeededUniform(seed);
  return Array.from({ length: count }, () => Math.floor(rng() * config.vocabSize));
}

interface Case {
  config: DecoderConfig;
  session: NodeSession;
  /** Weights the reference should use (dequantised for q4). */
  oracle: DecoderWeights;
  original: DecoderWeights;
}

async function buildCase(name: TinyDecoderName, precision: Precision, seed: number, fused = false, logitsLastOnly = false, accuracyLevel?: 4, attention?: 'gqa' | 'matmul'): Promise<Case> {
  const config = parseDecoderConfig(TINY_DECODER_CONFIGS[name]);
  const weights = randomDecoderWeights(config, createSeededUniform(seed));
  const options = { precision, fused, logitsLastOnly, ...(accuracyLevel !== undefined ? { accuracyLevel } : {}), ...(attention !== undefined ? { attention } : {}) };
  const session = await createNodeSession(buildDecoderModel(config, weights, options), { intraOpThreads: 1 });
  const oracle = precision === 'q4' ? dequantisedWeights(config, weights) : effectiveWeights(config, weights, precision);
  return { config, session, oracle, original: weights };
}

/** q8 vs the dequantised-weight reference: measured 0.07–0.24 (the per-tensor activation quantisation), far outside 1e-3; this bound only catches a broken graph. */
const Q8_TOLERANCE = 0.5;

const layoutOf = (c: DecoderConfig) => ({ numLayers: c.numLayers, numKvHeads: c.numKvHeads, headDim: c.headDim });

/**
 * Prefill a 6-token prompt, decode 3 single tokens, prefill a 4-token round on the cache, decode 2 more.
 * Every step's logits are compared with referenceForward on the whole sequence so far (no cache): the
 * cross-round KV case of DESIGN.md §3. Returns the max error of the prompt step and of the cached steps.
 */
async function checkPromptAndDecode(c: Case, lastOnly = false): Promise<{ prompt: number; cached: number }> {
  const chunks = [6, 1, 1, 1, 4, 1, 1];
  const all = tokensFor(c.config, chunks.reduce((a, b) => a + b, 0), 7);
  let past: KvCacheArrays | undefined;
  let seen = 0;
  const errors: number[] = [];
  for (const n of chunks) {
    const fresh = all.slice(seen, seen + n);
    const out = await runDecoder(c.session, layoutOf(c.config), past === undefined ? { inputIds: [fresh] } : { inputIds: [fresh], past });
    seen += n;
    const full = referenceForward(c.config, c.oracle, all.slice(0, seen)).logits; // [seen, V]
    errors.push(maxAbsDiff(out.logits, full.subarray((seen - (lastOnly ? 1 : n)) * c.config.vocabSize)));
    expect(out.present.length).toBe(seen);
    past = out.present;
  }
  return { prompt: errors[0] ?? Infinity, cached: Math.max(...errors.slice(1)) };
}

describe.each(['qwen2Gqa', 'llamaMha', 'qwen2WideHead'] as const)('decoder %s on onnxruntime-node', (name) => {
  it('fp32 logits match the float64 reference within 1e-4, prompt and KV-cached steps', async () => {
    const c = await buildCase(name, 'fp32', 11);
    try {
      const { prompt, cached } = await checkPromptAndDecode(c);
      measured[`${name}.fp32.prompt`] = prompt;
      measured[`${name}.fp32.kv`] = cached;
      expect(prompt).toBeLessThan(1e-4);
      expect(cached).toBeLessThan(1e-4);
    } finally {
      await c.session.release();
    }
  });

  it('q4 logits match the reference on dequantised weights within 1e-3', async () => {
    const c = await buildCase(name, 'q4', 23);
    try {
      const { prompt, cached } = await checkPromptAndDecode(c);
      measured[`${name}.q4.prompt`] = prompt;
      measured[`${name}.q4.kv`] = cached;
      expect(prompt).toBeLessThan(1e-3);
      expect(cached).toBeLessThan(1e-3);
      // The oracle is discriminating: against the unquantised weights the same logits are far off.
      const tokens = tokensFor(c.config, 6, 7);
      const out = await runDecoder(c.session, layoutOf(c.config), { inputIds: [tokens] });
      expect(maxAbsDiff(out.logits, referenceForward(c.config, c.original, tokens).logits)).toBeGreaterThan(1e-2);
    } finally {
      await c.session.release();
    }
  });
});

describe.each(['qwen2Gqa', 'llamaMha', 'qwen2WideHead'] as const)("fused contrib-op decoder %s with attention: 'gqa' on onnxruntime-node", (name) => {
  it.each(['fp32', 'q4'] as const)('%s logits match the reference, prompt and KV-cached steps (GroupQueryAttention)', async (precision) => {
    const c = await buildCase(name, precision, 31, true, false, undefined, 'gqa');
    try {
      const { prompt, cached } = await checkPromptAndDecode(c);
      measured[`${name}.fused.${precision}.prompt`] = prompt;
      measured[`${name}.fused.${precision}.kv`] = cached;
      const tolerance = precision === 'fp32' ? 1e-4 : 1e-3;
      expect(prompt).toBeLessThan(tolerance);
      expect(cached).toBeLessThan(tolerance);
    } finally {
      await c.session.release();
    }
  });
});

describe.each(['qwen2Gqa', 'llamaMha', 'qwen2WideHead'] as const)("fused decoder with attention: 'matmul' %s on onnxruntime-node", (name) => {
  it.each([[false, 'fp32'], [false, 'q4'], [true, 'q4']] as const)('last-only %s, %s: logits match the reference, prompt and KV-cached steps', async (lastOnly, precision) => {
    const c = await buildCase(name, precision, 31, true, lastOnly, undefined, 'matmul');
    try {
      const { prompt, cached } = await checkPromptAndDecode(c, lastOnly);
      measured[`${name}.fused.matmul.${precision}${lastOnly ? '.lastOnly' : ''}`] = Math.max(prompt, cached);
      const tolerance = precision === 'fp32' ? 1e-4 : 1e-3;
      expect(prompt).toBeLessThan(tolerance);
      expect(cached).toBeLessThan(tolerance);
    } finally {
      await c.session.release();
    }
  });
});

/**
 * q8 (int8 per-channel weights × DynamicQuantizeLinear activations, MatMulInteger): the reference runs on
 * the dequantised weights, so what is left is the activation quantisation (one uint8 scale per tensor).
 * Measured and printed; see Q8_TOLERANCE for the bound held.
 */
describe.each(['qwen2Gqa', 'llamaMha', 'qwen2WideHead'] as const)('q8 decoder %s on onnxruntime-node', (name) => {
  it.each([[false, 'gqa'], [true, 'gqa'], [true, 'matmul']] as const)('fused %s (%s): logits vs the reference on dequantised weights (measured)', async (fused, attention) => {
    const c = await buildCase(name, 'q8', 43, fused, false, undefined, attention);
    try {
      const { prompt, cached } = await checkPromptAndDecode(c);
      const err = Math.max(prompt, cached);
      measured[`${name}.${fused ? `fused.${attention}.` : ''}q8`] = err;
      expect(err).toBeLessThan(Q8_TOLERANCE);
    } finally {
      await c.session.release();
    }
  });
});

describe.each(['qwen2Gqa', 'llamaMha', 'qwen2WideHead'] as const)('logitsLastOnly decoder %s on onnxruntime-node', (name) => {
  it.each([[false, 'fp32'], [true, 'fp32'], [false, 'q4'], [true, 'q4']] as const)('fused %s, %s: logits [B, 1, V] equal the last reference row', async (fused, precision) => {
    const c = await buildCase(name, precision, 37, fused, true);
    try {
      const { prompt, cached } = await checkPromptAndDecode(c, true);
      measured[`${name}.${fused ? 'fused.' : ''}${precision}.lastOnly`] = Math.max(prompt, cached);
      const tolerance = precision === 'fp32' ? 1e-4 : 1e-3;
      expect(prompt).toBeLessThan(tolerance);
      expect(cached).toBeLessThan(tolerance);
      expect(c.session.outputMetadata.find((m) => m.name === 'logits')).toMatchObject({ shape: ['batch_size', 1, c.config.vocabSize] });
      if (!fused) {
        // a batch of two: one row each
        const rows = [tokensFor(c.config, 4, 8), tokensFor(c.config, 4, 9)];
        const out = await runDecoder(c.session, layoutOf(c.config), { inputIds: rows });
        const v = c.config.vocabSize;
        expect(out.logits.length).toBe(2 * v);
        rows.forEach((r, b) => expect(maxAbsDiff(out.logits.subarray(b * v, (b + 1) * v), referenceForward(c.config, c.oracle, r).logits.subarray(3 * v))).toBeLessThan(tolerance));
      }
    } finally {
      await c.session.release();
    }
  });
});

/**
 * MatMulNBits accuracy_level 4 (int8 activations, per block of 32) on native onnxruntime: measured, not
 * held to the q4 parity tolerance — it misses it by two orders of magnitude on these random models
 * (0.07–0.23 max |Δlogit| vs 1e-3), which is why the builder never sets it by default. The bound below
 * only catches a broken graph.
 */
describe.each(['qwen2Gqa', 'llamaMha', 'qwen2WideHead'] as const)('q4 accuracy_level 4 decoder %s on onnxruntime-node', (name) => {
  it.each([false, true])('fused %s: logits stay within 0.5 of the reference on dequantised weights (measured)', async (fused) => {
    const c = await buildCase(name, 'q4', 41, fused, false, 4);
    try {
      const { prompt, cached } = await checkPromptAndDecode(c);
      const err = Math.max(prompt, cached);
      measured[`${name}.${fused ? 'fused.' : ''}q4.accuracyLevel4`] = err;
      expect(err).toBeLessThan(0.5);
    } finally {
      await c.session.release();
    }
  });
});

describe('batched decoding with left padding', () => {
  it('each row matches its own unpadded reference; fully masked pad rows stay finite', async () => {
    const c = await buildCase('qwen2Gqa', 'fp32', 5);
    try {
      const long = tokensFor(c.config, 5, 1);
      const short = tokensFor(c.config, 3, 2);
      const v = c.config.vocabSize;
      // HF convention: positions count real tokens only; pads get position 1 (any value works, they are masked).
      const out = await runDecoder(c.session, layoutOf(c.config), {
        inputIds: [long, [0, 0, ...short]],
        attentionMask: [[1, 1, 1, 1, 1], [0, 0, 1, 1, 1]],
        positionIds: [[0, 1, 2, 3, 4], [1, 1, 0, 1, 2]],
      });
      expect(out.logits.every(Number.isFinite)).toBe(true);
      const refLong = referenceForward(c.config, c.oracle, long).logits;
      const refShort = referenceForward(c.config, c.oracle, short).logits;
      expect(maxAbsDiff(out.logits.subarray(0, 5 * v), refLong)).toBeLessThan(1e-4);
      expect(maxAbsDiff(out.logits.subarray((5 + 2) * v, 10 * v), refShort)).toBeLessThan(1e-4);

      // one more token each, on the padded cache
      const next = await runDecoder(c.session, layoutOf(c.config), {
        inputIds: [[9], [17]],
        attentionMask: [[1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1]],
        positionIds: [[5], [3]],
        past: out.present,
      });
      const err = Math.max(
        maxAbsDiff(next.logits.subarray(0, v), referenceForward(c.config, c.oracle, [...long, 9]).logits.subarray(5 * v)),
        maxAbsDiff(next.logits.subarray(v), referenceForward(c.config, c.oracle, [...short, 17]).logits.subarray(3 * v)),
      );
      measured['qwen2Gqa.fp32.leftPadding'] = err;
      expect(err).toBeLessThan(1e-4);
    } finally {
      await c.session.release();
    }
  });
});

describe('createNodeSession on bad bytes', () => {
  it('a truncated model is a ModelLoadError that says what to do', async () => {
    const config = parseDecoderConfig(TINY_DECODER_CONFIGS.qwen2Gqa);
    const bytes = buildDecoderModel(config, randomDecoderWeights(config, createSeededUniform(3)), { precision: 'fp32' });
    const attempt = createNodeSession(bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(attempt).rejects.toBeInstanceOf(ModelLoadError);
    await expect(attempt).rejects.toThrow(/truncated or corrupt/);
  });

  it('random bytes are a ModelLoadError too', async () => {
    const rng = createSeededUniform(4);
    const junk = Uint8Array.from({ length: 256 }, () => Math.floor(rng() * 256));
    await expect(createNodeSession(junk)).rejects.toBeInstanceOf(ModelLoadError);
  });
});
