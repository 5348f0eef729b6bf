/**
 * The float weights a built decoder effectively computes with, for the float64 reference oracle in parity
 * tests: fp32 as given; q4 with every linear layer (and an untied head) quantised and dequantised
 * (quantizeQ4.ts); q8 likewise with quantizeQ8.ts, plus the embedding when it is tied (a tied q8 model
 * stores its embedding/head as int8 too). For q8 the activations are also quantised at run time, an
 * error these weights do not model.
 */
import type { DecoderConfig } from './decoderConfig';
import type { Precision } from './decoderGraph';
import { dequantizeQ4, quantizeQ4 } from './quantizeQ4';
import { dequantizeQ8, quantizeQ8 } from './quantizeQ8';
import { LINEAR_NAMES, linearPrefix, type DecoderWeights, type WeightTensor } from './weights';

export function effectiveWeights(config: DecoderConfig, weights: DecoderWeights, precision: Precision): DecoderWeights {
  if (precision === 'fp32') return weights;
  const out = new Map<string, WeightTensor>(weights);
  const names: string[] = [];
  for (let i = 0; i < config.numLayers; i++) for (const l of LINEAR_NAMES) names.push(`${linearPrefix(i, l)}.weight`);
  if (!config.tieWordEmbeddings) names.push('lm_head.weight');
  else if (precision === 'q8') names.push('model.embed_tokens.weight');
  const roundTrip = (w: WeightTensor): WeightTensor => (precision === 'q4' ? dequantizeQ4(quantizeQ4(w)) : dequantizeQ8(quantizeQ8(w)));
  for (const name of names) {
    const w = weights.get(name);
    if (w !== undefined) out.set(name, roundTrip(w));
  }
  return out;
}
