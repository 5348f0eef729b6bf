/**
 * The decoder family's hyper-parameters, parsed from a Hugging Face `config.json` (Qwen2 and Llama), and
 * the rotary frequencies they imply. Everything the builder and the reference forward need, typed and
 * checked once here, so neither has to second-guess a config.
 *
 * Not for: tokenizer or generation settings (generation_config.json), or model families outside
 * Qwen2/Llama — those fail with a `DecoderConfigError` that names the field.
 */

export const SUPPORTED_MODEL_TYPES = ['qwen2', 'llama'] as const;
export type DecoderModelType = (typeof SUPPORTED_MODEL_TYPES)[number];

/** Llama 3.x frequency-dependent RoPE rescaling (rope_type "llama3"). */
export interface Llama3RopeScaling {
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositionEmbeddings: number;
}

export interface DecoderConfig {
  modelType: DecoderModelType;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  /** < numHeads means grouped-query attention: each KV head serves numHeads / numKvHeads query heads. */
  numKvHeads: number;
  headDim: number;
  vocabSize: number;
  rmsNormEps: number;
  ropeTheta: number;
  ropeScaling: Llama3RopeScaling | null;
  /** lm_head reuses model.embed_tokens.weight (no lm_head.weight tensor). */
  tieWordEmbeddings: boolean;
  /** q/k/v projections carry biases (always for Qwen2; `attention_bias` for Llama; o_proj never does here). */
  attentionBias: boolean;
  maxPositionEmbeddings: number;
}

export class DecoderConfigError extends Error {
  override name = 'DecoderConfigError';
}

type Json = Record<string, unknown>;

function intField(c: Json, key: string, fallback?: number): number {
  const v = c[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new DecoderConfigError(`config.json: "${key}" must be a positive integer, got ${JSON.stringify(c[key])}.`);
  }
  return v;
}

function numberField(c: Json, key: string, fallback: number): number {
  const v = c[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new DecoderConfigError(`config.json: "${key}" must be a positive number, got ${JSON.stringify(c[key])}.`);
  }
  return v;
}

function parseRopeScaling(raw: unknown): Llama3RopeScaling | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== 'object') throw new DecoderConfigError(`config.json: "rope_scaling" must be an object or null.`);
  const r = raw as Json;
  const type = r.rope_type ?? r.type ?? 'default';
  if (type === 'default') return null;
  if (type !== 'llama3') {
    throw new DecoderConfigError(
      `config.json: rope_scaling type "${String(type)}" is not supported (only none/default and "llama3"). ` +
        'Convert a checkpoint without rope scaling, or one using Llama 3 scaling.',
    );
  }
  return {
    factor: numberField(r, 'factor', NaN),
    lowFreqFactor: numberField(r, 'low_freq_factor', NaN),
    highFreqFactor: numberField(r, 'high_freq_factor', NaN),
    originalMaxPositionEmbeddings: intField(r, 'original_max_position_embeddings'),
  };
}

/** Parse and validate a Hugging Face config.json object. Throws `DecoderConfigError` saying what to fix. */
export function parseDecoderConfig(json: unknown): DecoderConfig {
  if (typeof json !== 'object' || json === null) throw new DecoderConfigError('config.json must be a JSON object.');
  const c = json as Json;
  const modelType = c.model_type;
  if (!SUPPORTED_MODEL_TYPES.includes(modelType as DecoderModelType)) {
    throw new DecoderConfigError(
      `config.json: model_type ${JSON.stringify(modelType)} is not supported; use a Qwen2 ("qwen2") or Llama ("llama") checkpoint.`,
    );
  }
  const act = c.hidden_act ?? 'silu';
  if (act !== 'silu') throw new DecoderConfigError(`config.json: hidden_act "${String(act)}" is not supported (only "silu", the SwiGLU MLP).`);
  if (c.mlp_bias === true) throw new DecoderConfigError('config.json: mlp_bias=true is not supported (Qwen2/Llama MLPs have no biases).');
  if (c.use_sliding_window === true) {
    throw new DecoderConfigError('config.json: use_sliding_window=true is not supported; full causal attention only.');
  }
  // transformers v5 moves rope settings into rope_parameters; v4 keeps rope_theta and rope_scaling at top level.
  const ropeParams = (typeof c.rope_parameters === 'object' && c.rope_parameters !== null ? c.rope_parameters : {}) as Json;
  const hiddenSize = intField(c, 'hidden_size');
  const numHeads = intField(c, 'num_attention_heads');
  const numKvHeads = intField(c, 'num_key_value_heads', numHeads);
  const headDim = intField(c, 'head_dim', Math.floor(hiddenSize / numHeads));
  if (numHeads % numKvHeads !== 0) {
    throw new DecoderConfigError(`config.json: num_attention_heads (${numHeads}) must be a multiple of num_key_value_heads (${numKvHeads}).`);
  }
  if (headDim % 2 !== 0) throw new DecoderConfigError(`config.json: head_dim (${headDim}) must be even for rotary embeddings.`);
  const partial = ropeParams.partial_rotary_factor ?? c.partial_rotary_factor ?? 1;
  if (partial !== 1) throw new DecoderConfigError('config.json: partial_rotary_factor other than 1 is not supported.');
  return {
    modelType: modelType as DecoderModelType,
    hiddenSize,
    intermediateSize: intField(c, 'intermediate_size'),
    numLayers: intField(c, 'num_hidden_layers'),
    numHeads,
    numKvHeads,
    headDim,
    vocabSize: intField(c, 'vocab_size'),
    rmsNormEps: numberField(c, 'rms_norm_eps', 1e-6),
    ropeTheta: numberField({ rope_theta: ropeParams.rope_theta ?? c.rope_theta }, 'rope_theta', 10000),
    ropeScaling: parseRopeScaling(c.rope_scaling ?? (ropeParams.rope_type !== undefined ? ropeParams : null)),
    tieWordEmbeddings: c.tie_word_embeddings === true,
    attentionBias: modelType === 'qwen2' ? true : c.attention_bias === true,
    maxPositionEmbeddings: intField(c, 'max_position_embeddings', 2048),
  };
}

/**
 * Rotary inverse frequencies, [headDim / 2]:
 *   inv_freq_i = theta^(−2i / d),  i = 0 … d/2 − 1
 * With llama3 scaling, wavelength λ_i = 2π / inv_freq_i decides:
 *   λ > L / low_freq_factor   → inv_freq / factor            (long wavelengths are slowed)
 *   λ < L / high_freq_factor  → inv_freq                     (short ones kept)
 *   otherwise                 → (1 − s) · inv_freq / factor + s · inv_freq,  s = (L / λ − low) / (high − low)
 * where L = original_max_position_embeddings.
 */
export function ropeInvFreq(config: DecoderConfig): Float64Array {
  const half = config.headDim / 2;
  const out = new Float64Array(half);
  for (let i = 0; i < half; i++) out[i] = Math.pow(config.ropeTheta, -(2 * i) / config.headDim);
  const s = config.ropeScaling;
  if (s === null) return out;
  const lowWavelen = s.originalMaxPositionEmbeddings / s.lowFreqFactor;
  const highWavelen = s.originalMaxPositionEmbeddings / s.highFreqFactor;
  for (let i = 0; i < half; i++) {
    const f = out[i] ?? 0;
    const wavelen = (2 * Math.PI) / f;
    if (wavelen > lowWavelen) out[i] = f / s.factor;
    else if (wavelen >= highWavelen) {
      const smooth = (s.originalMaxPositionEmbeddings / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
      out[i] = (1 - smooth) * (f / s.factor) + smooth * f;
    }
  }
  return out;
}

/** The shape of a small Qwen2 decoder of our own (the embedded policies, the tiny test router). */
export interface Qwen2Shape {
  hiddenSize: number;
  intermediateSize: number;
  layers: number;
  heads: number;
  kvHeads: number;
  maxPositions: number;
}

/**
 * config.json (Hugging Face, Qwen2ForCausalLM) of such a decoder: tied embeddings, rope θ 10000, RMSNorm
 * ε 1e-6, SiLU, no sliding window, float32, no BOS. Key order is fixed (the committed folders hold it).
 */
export function qwen2ConfigJson(shape: Qwen2Shape, vocabSize: number, ids: { eos: number; pad: number }): Record<string, unknown> {
  return {
    architectures: ['Qwen2ForCausalLM'],
    model_type: 'qwen2',
    hidden_size: shape.hiddenSize,
    intermediate_size: shape.intermediateSize,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    num_key_value_heads: shape.kvHeads,
    vocab_size: vocabSize,
    max_position_embeddings: shape.maxPositions,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    hidden_act: 'silu',
    tie_word_embeddings: true,
    use_sliding_window: false,
    bos_token_id: null,
    eos_token_id: ids.eos,
    pad_token_id: ids.pad,
    torch_dtype: 'float32',
  };
}
