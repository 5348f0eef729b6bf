/**
 * Test support: a fixed set of rollout token sequences for learner tests — three rollouts of different
 * lengths (right-padded by buildTrainInputs), prompt tokens masked and one observation span masked, with
 * seeded random token ids below `vocabSize`. Only tests import src/testing.
 */
import { createSeededUniform } from '../core/onnx/weights';
import type { RolloutSequence } from '../core/learner/trainBatch';

export function rolloutSequences(vocabSize: number, seed: number): RolloutSequence[] {
  const rng = createSeededUniform(seed);
  const tok = (): number => Math.floor(rng() * vocabSize);
  return [
    { tokenIds: Array.from({ length: 9 }, tok), policyMask: [0, 0, 0, 1, 1, 0, 0, 1, 1] },
    { tokenIds: Array.from({ length: 6 }, tok), policyMask: [0, 0, 1, 1, 1, 1] },
    { tokenIds: Array.from({ length: 7 }, tok), policyMask: [0, 1, 1, 1, 0, 1, 1] },
  ];
}
