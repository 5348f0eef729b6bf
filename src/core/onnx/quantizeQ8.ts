/**
 * 8-bit per-output-channel symmetric quantisation of a linear weight, in the layout ONNX `MatMulInteger`
 * takes as its B input (the "q8" path transformers.js uses on wasm, where onnxruntime-web has real int8
 * GEMM kernels — MLAS QGEMM with wasm SIMD — unlike MatMulNBits, which it dequantises to float32 per run):
 *
 *   W: [N, K] (HF [out, in])
 *   scale_n  = max_k |W_{n,k}| / 127                       (float32; 0 for an all-zero row)
 *   code_{k,n} = clamp(round(W_{n,k} / scale_n), −127, 127)  stored int8 [K, N] (transposed: MatMulInteger's B)
 *   Ŵ_{n,k}  = code_{k,n} · scale_n
 *
 * |W − Ŵ| ≤ scale / 2 per element. The graph (decoderGraph.ts linear) quantises the activations on the fly
 * (DynamicQuantizeLinear, uint8, one scale per tensor), which adds an error the weights do not explain:
 * the parity tests measure it separately. Not for: 4-bit (quantizeQ4.ts).
 */
import { QuantizationError } from './quantizeQ4';
import type { WeightTensor } from './weights';

export interface Q8Weight {
  n: number;
  k: number;
  /** [K, N] int8 codes. */
  codes: Int8Array;
  /** [N] float32. */
  scales: Float32Array;
}

export function quantizeQ8(weight: WeightTensor): Q8Weight {
  const [n, k] = weight.shape;
  if (weight.shape.length !== 2 || n === undefined || k === undefined) {
    throw new QuantizationError(`quantizeQ8 needs a 2-D [N, K] weight, got shape [${weight.shape.join(', ')}].`);
  }
  const w = weight.data;
  const codes = new Int8Array(n * k);
  const scales = new Float32Array(n);
  for (let row = 0; row < n; row++) {
    let absMax = 0;
    for (let c = 0; c < k; c++) absMax = Math.max(absMax, Math.abs(w[row * k + c] ?? 0));
    const scale = Math.fround(absMax / 127);
    scales[row] = scale;
    if (scale === 0) continue;
    for (let c = 0; c < k; c++) codes[c * n + row] = Math.min(127, Math.max(-127, Math.round((w[row * k + c] ?? 0) / scale)));
  }
  return { n, k, codes, scales };
}

/** The [N, K] float32 weight the q8 graph effectively multiplies by: Ŵ = code · scale. */
export function dequantizeQ8(q: Q8Weight): WeightTensor {
  const data = new Float32Array(q.n * q.k);
  for (let row = 0; row < q.n; row++) {
    const s = q.scales[row] ?? 0;
    for (let c = 0; c < q.k; c++) data[row * q.k + c] = Math.fround((q.codes[c * q.n + row] ?? 0) * s);
  }
  return { data, shape: [q.n, q.k] };
}
