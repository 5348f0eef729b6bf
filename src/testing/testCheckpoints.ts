/**
 * Hugging Face checkpoints that tests write themselves, in the released Router-R1 checkpoints' format
 * (config.json, safetensors — single or sharded with model.safetensors.index.json — tokenizer.json,
 * tokenizer_config.json, generation_config.json): the released ones cannot be downloaded here, so the
 * converter path is tested on these. Random weights from a seed; shapes tiny.
 *
 * Not for: shipping (public/models is written by tinyRouter.ts).
 */
import { parseDecoderConfig, type DecoderConfig } from '../core/onnx/decoderConfig';
import { createSeededUniform } from '../core/onnx/weights';
import { randomDecoderWeights, type WeightTensor } from '../core/onnx/weights';
import { bfloat16BytesToFloat32, float32ToHalfBytes, halfBytesToFloat32 } from '../core/model/floatFormats';
import { SAFETENSORS_INDEX_FILE, writeSafetensors, type FloatDtype } from '../core/model/safetensors';
import { createTinyTokenizer, TINY_CHATML_TEMPLATE } from '../core/tokenizer/tinyTokenizer';

export interface TestCheckpointOptions {
  family?: 'qwen2' | 'llama';
  dtype?: FloatDtype;
  /** Split the tensors over this many shard files (with an index); 1 = a single model.safetensors. */
  shards?: number;
  seed?: number;
  /** Leave tokenizer.json out (to test the error). */
  withoutTokenizer?: boolean;
  /** config.json fields over the family's tiny shape (e.g. more layers, to make a conversion take a while). */
  config?: Record<string, unknown>;
}

export interface TestCheckpoint {
  files: Map<string, Uint8Array | string>;
  config: DecoderConfig;
  /** The weights exactly as stored (after rounding to the dtype), to run the reference on. */
  weights: Map<string, WeightTensor>;
}

/** A Qwen2 shape (GQA, q/k/v biases, tied) or a Llama shape (untied, no biases), vocab covering the tiny tokenizer. */
export function testCheckpointConfigJson(family: 'qwen2' | 'llama'): Record<string, unknown> {
  const common = { hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, vocab_size: 288, max_position_embeddings: 256, hidden_act: 'silu', bos_token_id: 268, eos_token_id: 270, torch_dtype: 'bfloat16' };
  return family === 'qwen2'
    ? { architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', ...common, rms_norm_eps: 1e-6, rope_theta: 1000000, tie_word_embeddings: true, use_sliding_window: false }
    : { architectures: ['LlamaForCausalLM'], model_type: 'llama', ...common, rms_norm_eps: 1e-5, rope_theta: 500000, tie_word_embeddings: false, attention_bias: false, rope_scaling: { rope_type: 'llama3', factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 64 } };
}

/** Round float32 values the way storing them as `dtype` does (so the reference sees what the file holds). */
function stored(t: WeightTensor, dtype: FloatDtype): WeightTensor {
  if (dtype === 'F32') return t;
  const bytes = float32ToHalfBytes(t.data, dtype === 'F16' ? 'f16' : 'bf16');
  return { data: dtype === 'F16' ? halfBytesToFloat32(bytes) : bfloat16BytesToFloat32(bytes), shape: t.shape };
}

export function makeTestCheckpoint(opts: TestCheckpointOptions = {}): TestCheckpoint {
  const family = opts.family ?? 'qwen2';
  const dtype = opts.dtype ?? 'F32';
  const configJson = { ...testCheckpointConfigJson(family), ...opts.config };
  const config = parseDecoderConfig(configJson);
  const weights = new Map<string, WeightTensor>();
  for (const [name, t] of randomDecoderWeights(config, createSeededUniform(opts.seed ?? 11))) weights.set(name, stored(t, dtype));
  // real checkpoints carry extras the converter must ignore
  if (family === 'llama') weights.set('model.layers.0.self_attn.rotary_emb.inv_freq', { data: new Float32Array(4).fill(1), shape: [4] });

  const files = new Map<string, Uint8Array | string>();
  files.set('config.json', JSON.stringify(configJson, null, 2));
  const names = [...weights.keys()].sort(); // HF writes tensors sorted by name
  const shards = Math.max(1, opts.shards ?? 1);
  const toWrite = (list: string[]) => list.map((name) => ({ name, shape: weights.get(name)?.shape ?? [], data: weights.get(name)?.data ?? new Float32Array(), dtype }));
  if (shards === 1) files.set('model.safetensors', writeSafetensors(toWrite(names), { format: 'pt' }));
  else {
    const weightMap: Record<string, string> = {};
    const per = Math.ceil(names.length / shards);
    for (let s = 0; s < shards; s++) {
      const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
      const part = names.slice(s * per, (s + 1) * per);
      for (const n of part) weightMap[n] = file;
      files.set(file, writeSafetensors(toWrite(part), { format: 'pt' }));
    }
    files.set(SAFETENSORS_INDEX_FILE, JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }, null, 2));
  }
  const tok = createTinyTokenizer();
  if (opts.withoutTokenizer !== true) files.set('tokenizer.json', JSON.stringify(tok.json));
  files.set('tokenizer_config.json', JSON.stringify({ chat_template: TINY_CHATML_TEMPLATE, eos_token: '<|im_end|>', pad_token: '<|endoftext|>' }));
  files.set('generation_config.json', JSON.stringify({ bos_token_id: 268, eos_token_id: 270 }));
  return { files, config, weights };
}
