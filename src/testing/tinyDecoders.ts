/**
 * Tiny decoder configurations (as Hugging Face config.json objects) for test fixtures and golden models
 * (the seeded weights come from createSeededUniform in weights.ts). Three shapes that together cover the builder's branches:
 *   qwen2Gqa      Qwen2: grouped-query attention (4 heads / 2 KV heads), q/k/v biases, tied embeddings
 *   llamaMha      Llama: one KV head per query head, untied head, llama3 rope scaling, MLP width 48
 *                 (not a multiple of the q4 block, so the padded last block is exercised)
 *   qwen2WideHead Qwen2: head_dim 16, 4 heads sharing 1 KV head, 3 layers, untied, rope_theta 1e6
 *
 * Not for: anything needing realistic numerics (weights are random).
 */

export const TINY_DECODER_CONFIGS = {
  qwen2Gqa: {
    model_type: 'qwen2',
    hidden_size: 32,
    intermediate_size: 64,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    vocab_size: 96,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    max_position_embeddings: 128,
    tie_word_embeddings: true,
    hidden_act: 'silu',
  },
  llamaMha: {
    model_type: 'llama',
    hidden_size: 32,
    intermediate_size: 48,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 4,
    vocab_size: 80,
    rms_norm_eps: 1e-5,
    rope_theta: 500000,
    rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 64 },
    max_position_embeddings: 512,
    tie_word_embeddings: false,
    attention_bias: false,
    hidden_act: 'silu',
  },
  qwen2WideHead: {
    model_type: 'qwen2',
    hidden_size: 64,
    intermediate_size: 96,
    num_hidden_layers: 3,
    num_attention_heads: 4,
    num_key_value_heads: 1,
    head_dim: 16,
    vocab_size: 128,
    rms_norm_eps: 1e-6,
    rope_theta: 1000000,
    max_position_embeddings: 256,
    tie_word_embeddings: false,
    hidden_act: 'silu',
  },
} as const;

export type TinyDecoderName = keyof typeof TINY_DECODER_CONFIGS;
