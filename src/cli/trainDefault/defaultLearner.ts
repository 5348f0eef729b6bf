/**
 * What every train-default stage (copy pre-training, warm-up, RL) trains with: the ONNX learner over
 * all weights on onnxruntime-node, its thread count and its AdamW settings. Must not: hold a loop.
 */
import type { AdamWConfig } from '../../core/learner/adamw';
import { createOnnxLearner, type OnnxLearner } from '../../core/learner/onnxLearner';
import type { DecoderConfig } from '../../core/onnx/decoderConfig';
import type { WeightTensor } from '../../core/onnx/weights';
import { nodeTrainSessions } from '../../adapters/node/nodeTrainSession';

/** onnxruntime-node intra-op threads for the learner and the rollout model (the shipped runs used 2 cores). */
export const TRAIN_DEFAULT_THREADS = 2;

/**
 * AdamW for copy pre-training and the warm-up (one constant: both stages must move alike). β2 = 0.98, not
 * PyTorch's 0.999: the usual choice when training a transformer from scratch (Vaswani et al. 2017,
 * RoBERTa), a second-moment estimate that follows the gradients over hundreds rather than thousands of
 * updates; eps and weight decay are PyTorch's. The shipped router-nano weights were trained with exactly
 * these values, so changing one changes what `train-default` re-creates.
 */
export const TRAIN_DEFAULT_ADAMW: AdamWConfig = { beta1: 0.9, beta2: 0.98, eps: 1e-8, weightDecay: 0.01 };

/** The learner over every weight of the decoder, starting from `weights`. */
export function openFullLearner(config: DecoderConfig, weights: Map<string, WeightTensor>): Promise<OnnxLearner> {
  return createOnnxLearner({ config, weights, trainable: { kind: 'full' }, open: nodeTrainSessions({ intraOpThreads: TRAIN_DEFAULT_THREADS }) });
}
