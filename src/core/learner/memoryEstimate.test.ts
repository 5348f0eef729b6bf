/**
 * The training-memory estimate (memoryEstimate.ts): its parts add up, it grows linearly in rows and
 * quadratically in the sequence (the attention probs), LoRA and forward-only runs cost less, maxRowsPerRun
 * inverts it, and the pre-run check refuses with the parts and what to change.
 */
import { describe, expect, it } from 'vitest';
import { parseDecoderConfig } from '../onnx/decoderConfig';
import { TINY_DECODER_CONFIGS } from '../../testing/tinyDecoders';
import { expectedWeightShapes } from '../onnx/weights';
import { LORA_ATTENTION_QV } from '../autodiff/lora';
import { checkTrainingFits, estimateTrainMemory, formatBytes, maxRowsPerRun, worstCaseSeqLen } from './memoryEstimate';

const config = parseDecoderConfig(TINY_DECODER_CONFIGS.qwen2Gqa);
const full = { kind: 'full' } as const;
const lora = { kind: 'lora', lora: { rank: 4, alpha: 8, targets: LORA_ATTENTION_QV } } as const;
const P = [...expectedWeightShapes(config).values()].reduce((s, sh) => s + sh.reduce((a, b) => a * b, 1), 0);

describe('estimateTrainMemory', () => {
  it('parts add up to the totals; the JS side holds live, reference, m, v, grads and the base weights', () => {
    const e = estimateTrainMemory({ config, trainable: full, rows: 3, seqLen: 64 });
    const r = e.runtime;
    expect(r.total).toBe(r.parameters + r.gradients + r.frozenWeights + r.activations + r.logits);
    expect(r.total).toBe(e.fixedBytes + 3 * e.perRowBytes);
    expect(e.js).toEqual({ liveParams: 4 * P, referenceParams: 4 * P, adamMoments: 8 * P, gradients: 4 * P, baseWeights: 4 * P, total: 24 * P });
    expect(r.logits).toBe(3 * 64 * config.vocabSize * 8 * 4);
  });

  it('linear in rows, super-linear in the sequence (attention probs), cheaper with LoRA and forward-only', () => {
    const at = (rows: number, seqLen: number) => estimateTrainMemory({ config, trainable: full, rows, seqLen }).runtime.total;
    expect(at(4, 64) - at(2, 64)).toBeCloseTo(2 * (at(2, 64) - at(1, 64)), 6);
    expect(at(1, 512) - at(1, 256)).toBeGreaterThan(2 * (at(1, 256) - at(1, 128)) * 0.99);
    const l = estimateTrainMemory({ config, trainable: lora, rows: 1, seqLen: 64 });
    const f = estimateTrainMemory({ config, trainable: full, rows: 1, seqLen: 64 });
    expect(l.runtime.parameters + l.runtime.gradients).toBeLessThan(f.runtime.parameters + f.runtime.gradients);
    expect(l.js.total).toBeLessThan(f.js.total);
    expect(estimateTrainMemory({ config, trainable: full, rows: 1, seqLen: 64, run: 'forward' }).runtime.total).toBeLessThan(f.runtime.total);
    expect(estimateTrainMemory({ config, trainable: full, valueHead: true, rows: 1, seqLen: 64 }).runtime.parameters).toBe(f.runtime.parameters + 4 * (config.hiddenSize + 1));
  });

  it('maxRowsPerRun inverts it: the most rows within the budget, 0 below one row, Infinity unbounded', () => {
    const shape = { config, trainable: full, seqLen: 64 } as const;
    const one = estimateTrainMemory({ ...shape, rows: 1 });
    expect(maxRowsPerRun(shape, one.fixedBytes + 2.5 * one.perRowBytes)).toBe(2);
    expect(maxRowsPerRun(shape, one.runtime.total - 1)).toBe(0);
    expect(maxRowsPerRun(shape, Infinity)).toBe(Infinity);
  });
});

describe('checkTrainingFits', () => {
  const settings = { maxTurns: 4, maxObservationTokens: 600, maxPromptTokens: 2048, maxContextTokens: 4096, maxNewTokens: 160 };

  it('the worst-case sequence: prompt + turns × (new + observation), capped by the context window', () => {
    expect(worstCaseSeqLen(settings)).toBe(4096);
    expect(worstCaseSeqLen({ ...settings, maxTurns: 1 })).toBe(2048 + 760);
  });

  it('passes within the budget; refuses above it with the parts and what to change', () => {
    const need = estimateTrainMemory({ config, trainable: full, rows: 1, seqLen: 4096 }).runtime.total;
    expect(checkTrainingFits({ config, trainable: full, settings, budgetBytes: need, budgetLabel: 'test' })).toBeNull();
    const msg = checkTrainingFits({ config, trainable: full, settings, budgetBytes: need - 1, budgetLabel: 'test heap' }) ?? '';
    expect(msg).toContain('single 4096-token sequence');
    expect(msg).toMatch(/parameters .* \+ gradients .* \+ activations .* \+ logits .* = /);
    expect(msg).toContain(`above ${formatBytes(need - 1)} (test heap)`);
    expect(msg).toMatch(/LoRA.*smaller model.*maxNewTokens, maxTurns, maxObservationTokens/);
    // already LoRA: no LoRA advice
    expect(checkTrainingFits({ config, trainable: lora, settings, budgetBytes: 1, budgetLabel: 'x' })).not.toMatch(/LoRA/);
  });
});
