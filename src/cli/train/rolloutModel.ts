/**
 * The rollout policy's model and its weight sync (trainLoop's `syncWeights`): after each step the
 * inference decoder is REBUILT from the learner's current weights (buildDecoderModel) and swapped in;
 * the old session is released. Rollouts that start afterwards use the new model (a policy reads
 * `current()` when it is created, once per rollout).
 *
 * Cost of a sync (measured on 2 cores): encoding the ONNX bytes is O(params) — tiny-router (0.09 M
 * params) ~60 ms per sync in `bench train` (build + session creation); fp32 copies the weights once; q4 also quantises every
 * linear layer (~1 s per 100 M params in TypeScript). For models beyond a few hundred MB a sync that
 * feeds weights as inputs (or updates initializers in place) would be cheaper; not needed at our sizes.
 */
import { buildDecoderModel } from '../../core/onnx/buildDecoder';
import type { DecoderConfig } from '../../core/onnx/decoderConfig';
import type { DecoderWeights } from '../../core/onnx/weights';
import type { LanguageModel } from '../../core/policy/languageModel';
import { createSwappableModel, type SwappableModel } from '../../core/rl/swappableModel';
import { createNodeLanguageModel, type NodeLanguageModel } from '../../adapters/node/nodeLanguageModel';

/** The swap itself is core's createSwappableModel (shared with the browser's train runtime). */
export type RolloutModel = SwappableModel<DecoderWeights, LanguageModel>;

export interface RolloutModelOptions {
  config: DecoderConfig;
  precision: 'fp32' | 'q4';
  eosTokenIds: readonly number[];
  intraOpThreads: number;
}

export async function createRolloutModel(initial: DecoderWeights, o: RolloutModelOptions): Promise<RolloutModel> {
  const open = (w: DecoderWeights): Promise<NodeLanguageModel> =>
    createNodeLanguageModel(buildDecoderModel(o.config, w, { precision: o.precision, logitsLastOnly: true }), { intraOpThreads: o.intraOpThreads, eosTokenIds: o.eosTokenIds, vocabSize: o.config.vocabSize });
  return createSwappableModel<DecoderWeights, LanguageModel & { dispose(): Promise<void> }>(open, initial);
}
