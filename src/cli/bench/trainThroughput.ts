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
import { createSeededUniform } from '../../core/onnx/tinyDecoders';
import { randomDecoderWeights } from '../../core/onnx/weights';
import { buildTrainInputs, tokenWeights, type TrainBatch } from '../../core/rl/trainBatch';
import { createOnnxLearner, type OpenTrainSession } from '../../core/train/onnxLearner';

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
