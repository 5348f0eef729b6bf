/**
 * The benchmark model: the exact shape of Qwen2.5-0.5B-Instruct (its config.json), random weights,
 * q4 (MatMulNBits, block 32) with a tied float32 embedding, or q8 (int8 MatMulInteger, the tied embedding
 * int8 too: ~520 MB). Sizes: 494M parameters, of which the
 * 151,936 × 896 embedding is 136M (544 MB fp32) and stays float32; the 24 blocks' 358M linear weights
 * become ~200 MB of q4. The file (~750 MB) is under protobuf's 2 GiB, so weights stay inline.
 *
 * Building holds the float32 weights (~2 GB) in memory for a minute; the file is cached under
 * node_modules/.cache/router-r1-bench/ keyed by the config, and reused by later runs.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDecoderModel } from '../../core/onnx/buildDecoder';
import { parseDecoderConfig, type DecoderConfig } from '../../core/onnx/decoderConfig';
import { createSeededUniform } from '../../core/onnx/weights';
import { randomDecoderWeights } from '../../core/onnx/weights';

/** Qwen/Qwen2.5-0.5B-Instruct config.json (the fields the builder reads). */
export const QWEN25_05B_CONFIG = {
  model_type: 'qwen2',
  hidden_size: 896,
  intermediate_size: 4864,
  num_hidden_layers: 24,
  num_attention_heads: 14,
  num_key_value_heads: 2,
  vocab_size: 151936,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000,
  max_position_embeddings: 32768,
  tie_word_embeddings: true,
  hidden_act: 'silu',
} as const;

export interface BenchModel {
  name: string;
  config: DecoderConfig;
  path: string;
  bytes: number;
  buildMs: number | null;
}

export interface BenchModelOptions {
  /** Default 'q4'. */
  precision?: 'q4' | 'q8';
  fused: boolean;
  /** BuildDecoderOptions.attention (fused graphs); default 'gqa'. */
  attention?: 'gqa' | 'matmul';
  /** Logits of the last position only (BuildDecoderOptions.logitsLastOnly): what the runtime uses. */
  logitsLastOnly: boolean;
  /** MatMulNBits accuracy_level (BuildDecoderOptions.accuracyLevel); absent = not written. */
  accuracyLevel?: 0 | 1 | 2 | 3 | 4;
}

/** The cached file; the name changes with every option (and GRAPH_VERSION when the builder's graph changes). */
export function benchModelPath(cacheDir: string, o: BenchModelOptions): string {
  return join(cacheDir, `qwen2.5-0.5b-shape.${o.precision ?? 'q4'}${o.fused ? '.fused' : ''}${o.fused && o.attention === 'matmul' ? '.matmul' : ''}${o.logitsLastOnly ? '.last' : ''}${o.accuracyLevel !== undefined ? `.acc${o.accuracyLevel}` : ''}.seed1.g${GRAPH_VERSION}.onnx`);
}

/** Bump when buildDecoderModel emits a different graph for the same options (stale cached files are rebuilt). */
const GRAPH_VERSION = 2;

/** Build (or reuse) the model file; `log` reports progress. */
export function ensureBenchModel(cacheDir: string, o: BenchModelOptions & { now: () => number; log: (line: string) => void }): BenchModel {
  const config = parseDecoderConfig(QWEN25_05B_CONFIG);
  const path = benchModelPath(cacheDir, o);
  const precision = o.precision ?? 'q4';
  const matmul = o.fused && o.attention === 'matmul';
  const name = `Qwen2.5-0.5B-Instruct shape, random weights, ${precision}${o.fused ? `, fused contrib ops${matmul ? ' with MatMul attention' : ''}` : ''}${o.logitsLastOnly ? ', last-position logits' : ''}${o.accuracyLevel !== undefined ? `, accuracy_level ${o.accuracyLevel}` : ''}`;
  if (existsSync(path)) return { name, config, path, bytes: readFileSync(path).byteLength, buildMs: null };
  mkdirSync(cacheDir, { recursive: true });
  const started = o.now();
  o.log('building the benchmark model (random weights, ~2 GB of float32 in memory)…');
  const weights = randomDecoderWeights(config, createSeededUniform(1));
  o.log(`  weights drawn in ${((o.now() - started) / 1000).toFixed(1)} s; quantising and encoding…`);
  const bytes = buildDecoderModel(config, weights, { precision, fused: o.fused, ...(o.fused ? { attention: matmul ? ('matmul' as const) : ('gqa' as const) } : {}), logitsLastOnly: o.logitsLastOnly, ...(o.accuracyLevel !== undefined ? { accuracyLevel: o.accuracyLevel } : {}) });
  weights.clear();
  writeFileSync(path, bytes);
  const buildMs = o.now() - started;
  o.log(`  ${(bytes.byteLength / 2 ** 20).toFixed(0)} MiB written to ${path} in ${(buildMs / 1000).toFixed(1)} s`);
  return { name, config, path, bytes: bytes.byteLength, buildMs };
}
