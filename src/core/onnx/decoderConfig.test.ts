import { describe, expect, it } from 'vitest';
import { DecoderConfigError, parseDecoderConfig, ropeInvFreq } from './decoderConfig';
import { TINY_DECODER_CONFIGS } from '../../testing/tinyDecoders';

/** The released Router-R1 bases (from their public config.json files), trimmed to the fields we read. */
const QWEN25_3B = {
  model_type: 'qwen2', hidden_size: 2048, intermediate_size: 11008, num_hidden_layers: 36, num_attention_heads: 16,
  num_key_value_heads: 2, vocab_size: 151936, rms_norm_eps: 1e-6, rope_theta: 1000000, max_position_embeddings: 32768,
  tie_word_embeddings: true, hidden_act: 'silu', rope_scaling: null, use_sliding_window: false,
};
const LLAMA32_3B = {
  model_type: 'llama', hidden_size: 3072, intermediate_size: 8192, num_hidden_layers: 28, num_attention_heads: 24,
  num_key_value_heads: 8, head_dim: 128, vocab_size: 128256, rms_norm_eps: 1e-5, rope_theta: 500000,
  max_position_embeddings: 131072, tie_word_embeddings: true, hidden_act: 'silu', attention_bias: false, mlp_bias: false,
  rope_scaling: { factor: 32, high_freq_factor: 4, low_freq_factor: 1, original_max_position_embeddings: 8192, rope_type: 'llama3' },
};

describe('parseDecoderConfig', () => {
  it('reads Qwen2.5-3B: GQA, q/k/v biases, derived head_dim, tied', () => {
    const c = parseDecoderConfig(QWEN25_3B);
    expect(c).toMatchObject({ modelType: 'qwen2', numHeads: 16, numKvHeads: 2, headDim: 128, attentionBias: true, tieWordEmbeddings: true, ropeScaling: null });
  });

  it('reads Llama-3.2-3B: llama3 rope scaling, no biases', () => {
    const c = parseDecoderConfig(LLAMA32_3B);
    expect(c.attentionBias).toBe(false);
    expect(c.ropeScaling).toEqual({ factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 });
  });

  it('reads transformers v5 rope_parameters', () => {
    const { rope_theta: _theta, ...rest } = TINY_DECODER_CONFIGS.qwen2Gqa;
    const c = parseDecoderConfig({ ...rest, rope_parameters: { rope_type: 'default', rope_theta: 1234 } });
    expect(c.ropeTheta).toBe(1234);
    expect(c.ropeScaling).toBeNull();
  });

  it.each([
    [{ model_type: 'gpt2' }, /model_type "gpt2" is not supported/],
    [{ rope_scaling: { rope_type: 'yarn', factor: 4 } }, /rope_scaling type "yarn" is not supported/],
    [{ num_key_value_heads: 3 }, /multiple of num_key_value_heads/],
    [{ hidden_size: 0 }, /"hidden_size" must be a positive integer/],
    [{ hidden_act: 'gelu' }, /hidden_act "gelu"/],
    [{ use_sliding_window: true }, /sliding_window/],
  ])('rejects %j with a message naming the field', (patch, message) => {
    expect(() => parseDecoderConfig({ ...TINY_DECODER_CONFIGS.qwen2Gqa, ...patch })).toThrow(message);
    expect(() => parseDecoderConfig({ ...TINY_DECODER_CONFIGS.qwen2Gqa, ...patch })).toThrow(DecoderConfigError);
  });
});

describe('ropeInvFreq', () => {
  it('is theta^(−2i/d) without scaling', () => {
    const c = parseDecoderConfig(TINY_DECODER_CONFIGS.qwen2Gqa); // d = 8, theta = 1e4
    const f = ropeInvFreq(c);
    expect(Array.from(f)).toHaveLength(4);
    [1, 0.1, 0.01, 0.001].forEach((v, i) => expect(f[i]).toBeCloseTo(v, 12));
  });

  it('applies llama3 scaling by wavelength band', () => {
    const c = parseDecoderConfig(LLAMA32_3B);
    const plain = ropeInvFreq({ ...c, ropeScaling: null });
    const scaled = ropeInvFreq(c);
    const low = 8192 / 1; // wavelengths above this are divided by the factor
    const high = 8192 / 4; // wavelengths below this are kept
    for (let i = 0; i < plain.length; i++) {
      const f = plain[i] ?? 0;
      const wavelen = (2 * Math.PI) / f;
      if (wavelen < high) expect(scaled[i]).toBe(f);
      else if (wavelen > low) expect(scaled[i]).toBeCloseTo(f / 32, 15);
      else expect((scaled[i] ?? 0) > f / 32 && (scaled[i] ?? 0) < f).toBe(true);
    }
  });
});
