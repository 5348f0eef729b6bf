/**
 * The training benchmark procedure (DESIGN.md §11), shared by onnxruntime-node (src/cli/bench/trainBench.ts)
 * and onnxruntime-web in headless Chromium (e2e/harness/train.worker.ts), so both measure exactly the
 * same thing. Pure: core imports only, the clock and the learner are injected.
 *
 *   train_tok_s = B·T / median time(computeLossAndGrads) over `repeats` runs after one warm-up run
 *
 * One run is the full training graph — forward, loss and backward over every position of a [B, T]
 * batch, gradients copied out to TypeScript (what an optimizer step needs) — on the same seeded
 * random weights and token ids on both runtimes.
 */
import { createRng } from '../../core/math/rng';
import { parseDecoderConfig, type DecoderConfig } from '../../core/onnx/decoderConfig';
import { createSeededUniform } from '../../core/onnx/weights';
import { randomDecoderWeights } from '../../core/onnx/weights';
import { buildTrainInputs, tokenWeights, type TrainBatch } from '../../core/learner/trainBatch';
import { GraphBuilder } from '../../core/onnx/graphBuilder';
import { encodeModel } from '../../core/onnx/onnxProto';
import { createOnnxLearner, type OpenTrainSession } from '../../core/learner/onnxLearner';
import type { TensorFeed } from '../../core/learner/trainFeeds';

export interface TrainBenchModel {
  name: string;
  /** A Hugging Face config.json object. */
  configJson: Record<string, unknown>;
}

const qwen2 = (hidden: number, layers: number, heads: number, kvHeads: number, intermediate: number, vocab: number): Record<string, unknown> => ({
  model_type: 'qwen2', hidden_size: hidden, intermediate_size: intermediate, num_hidden_layers: layers, num_attention_heads: heads, num_key_value_heads: kvHeads,
  vocab_size: vocab, max_position_embeddings: 512, rms_norm_eps: 1e-6, rope_theta: 10000, tie_word_embeddings: true, hidden_act: 'silu',
});

/**
 * The embedded-size model: router-nano's shape (public/models/router-nano-a0/config.json: 4 layers,
 * hidden 128, 4 heads / 2 KV heads, MLP 384, its 2,048-token vocabulary), and a 4-layer, hidden-512
 * model with a 4k vocabulary (the size DESIGN §6 aims for).
 */
export const TRAIN_BENCH_MODELS: readonly TrainBenchModel[] = [
  { name: 'router-nano (4 layers, hidden 128)', configJson: qwen2(128, 4, 4, 2, 384, 2048) },
  { name: '4 layers, hidden 512', configJson: qwen2(512, 4, 8, 2, 1536, 4096) },
];

export interface TrainThroughputOptions {
  batchSize: number;
  seqLen: number;
  repeats: number;
  now: () => number;
  log?: (line: string) => void;
}

export interface TrainThroughputResult {
  params: number;
  train_tok_s: number;
  /** Median ms of one forward + backward. */
  run_ms: number;
  build_ms: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** A policy-loss batch of seeded token ids: half of each row is "policy", the rest prompt. */
function benchBatch(config: DecoderConfig, B: number, T: number): TrainBatch {
  const rng = createRng(7).fork('bench.tokens');
  const seqs = Array.from({ length: B }, () => ({
    tokenIds: Array.from({ length: T }, () => Math.floor(rng.nextFloat() * config.vocabSize)),
    policyMask: Array.from({ length: T }, (_, t) => (t >= T / 2 ? 1 : 0)),
  }));
  const inputs = buildTrainInputs(seqs);
  const n = B * T;
  return {
    ...inputs,
    tokenWeights: tokenWeights(inputs.lossMask, B, T, 'token-mean'),
    advantages: Float32Array.from({ length: n }, (_, i) => (i % 3) - 1),
    oldLogProbs: new Float32Array(n).fill(-5),
    refLogProbs: new Float32Array(n).fill(-5),
    returns: null,
    oldValues: null,
    loss: { clipRatio: 0.2, klCoef: 0.001, entropyCoef: 0.001, valueCoef: 0, valueClip: 0.5 },
  };
}

export async function measureTrainThroughput(model: TrainBenchModel, open: OpenTrainSession, o: TrainThroughputOptions): Promise<TrainThroughputResult> {
  const config = parseDecoderConfig(model.configJson);
  const weights = randomDecoderWeights(config, createSeededUniform(1));
  const t0 = o.now();
  const learner = await createOnnxLearner({ config, weights, trainable: { kind: 'full' }, open });
  const buildMs = o.now() - t0;
  try {
    const batch = benchBatch(config, o.batchSize, o.seqLen);
    await learner.computeLossAndGrads(batch); // warm-up: allocation, pre-packing
    const times: number[] = [];
    for (let r = 0; r < o.repeats; r++) {
      const t = o.now();
      await learner.computeLossAndGrads(batch);
      times.push(o.now() - t);
    }
    const runMs = median(times);
    let params = 0;
    for (const t of learner.params().values()) params += t.length;
    o.log?.(`${model.name}: ${params} params, [${o.batchSize}, ${o.seqLen}] forward+backward ${times.map((x) => x.toFixed(0)).join(', ')} ms`);
    return { params, train_tok_s: (o.batchSize * o.seqLen) / (runMs / 1000), run_ms: runMs, build_ms: buildMs };
  } finally {
    await learner.dispose();
  }
}

/**
 * The kernel ceiling: one float32 MatMul at the training graph's shapes, both operands fed as inputs (as
 * the graph feeds its parameters), timed the same way on both runtimes. The training graph is mostly
 * such MatMuls, so its browser/node ratio cannot exceed theirs by much: the bound on what a graph-level
 * change can buy on this CPU (native onnxruntime's AVX-512 / AVX2 FMA kernels vs wasm SIMD's 4 lanes).
 */
export interface KernelCase {
  name: string;
  m: number;
  k: number;
  n: number;
}

export const KERNEL_CASES: readonly KernelCase[] = [
  { name: 'MatMul [512×512]·[512×1536] (hidden-512 MLP up, B·T = 512)', m: 512, k: 512, n: 1536 },
  { name: 'MatMul [512×1536]·[1536×512] (hidden-512 MLP down)', m: 512, k: 1536, n: 512 },
  { name: 'MatMul [512×128]·[128×384] (router-nano MLP up)', m: 512, k: 128, n: 384 },
];

export interface KernelResult {
  name: string;
  run_ms: number;
  gflop_s: number;
}

/** A graph of one MatMul y = a · b with both operands as inputs. */
export function kernelModel(c: KernelCase): Uint8Array {
  const g = new GraphBuilder();
  g.node('MatMul', ['a', 'b'], { outputs: ['y'] });
  return encodeModel({
    graph: g.build('kernel', [{ name: 'a', dtype: 'float32', dims: [c.m, c.k] }, { name: 'b', dtype: 'float32', dims: [c.k, c.n] }], [{ name: 'y', dtype: 'float32', dims: [c.m, c.n] }]),
    opsets: [{ domain: '', version: 17 }],
  });
}

export async function measureKernel(c: KernelCase, open: OpenTrainSession, o: Pick<TrainThroughputOptions, 'now' | 'repeats' | 'log'>): Promise<KernelResult> {
  const rng = createRng(3).fork('bench.kernel');
  const data = (n: number): Float32Array => Float32Array.from({ length: n }, () => rng.nextFloat() - 0.5);
  const feeds: TensorFeed[] = [
    { name: 'a', dtype: 'float32', dims: [c.m, c.k], data: data(c.m * c.k) },
    { name: 'b', dtype: 'float32', dims: [c.k, c.n], data: data(c.k * c.n) },
  ];
  const session = await open(kernelModel(c));
  try {
    await session.run(feeds);
    const times: number[] = [];
    // More repeats than the training runs: one MatMul takes milliseconds.
    for (let r = 0; r < o.repeats * 4; r++) {
      const t = o.now();
      await session.run(feeds);
      times.push(o.now() - t);
    }
    const runMs = median(times);
    o.log?.(`${c.name}: ${runMs.toFixed(2)} ms (median of ${times.length})`);
    return { name: c.name, run_ms: runMs, gflop_s: (2 * c.m * c.k * c.n) / (runMs / 1000) / 1e9 };
  } finally {
    await session.release();
  }
}
