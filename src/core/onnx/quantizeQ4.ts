/**
 * 4-bit block quantisation of a linear weight in the layout of onnxruntime's `com.microsoft.MatMulNBits`
 * (bits = 4, symmetric, no zero-point input so the default zero point 8 applies):
 *
 *   W: [N, K] (HF [out, in]); blocks of `blockSize` consecutive values along K, per output row n
 *   scale_{n,b} = max_k∈b |W_{n,k}| / 7                      (float32; 0 for an all-zero block)
 *   code_{n,k}  = clamp(round(W_{n,k} / scale_{n,b}) + 8, 0, 15)
 *   Ŵ_{n,k}     = (code_{n,k} − 8) · scale_{n,b}               (what MatMulNBits computes with)
 *
 * Packing: B is uint8 [N, nBlocks, blockSize / 2]; within a block, byte j holds value 2j in its low nibble
 * and value 2j + 1 in its high nibble. scales is float32 [N · nBlocks], row-major (n, block).
 * K need not divide by blockSize: the last block is padded with code 8 (zero).
 *
 * |W − Ŵ| ≤ scale / 2 per element. Not for: asymmetric or 8-bit schemes, or fp16 scales.
 */
import type { WeightTensor } from './weights';

export const Q4_BLOCK_SIZE = 32;

export interface Q4Weight {
  /** Output features (rows of W). */
  n: number;
  /** Input features (the reduction axis). */
  k: number;
  blockSize: number;
  /** [N, nBlocks, blockSize / 2] packed codes. */
  packed: Uint8Array;
  /** [N · nBlocks] float32. */
  scales: Float32Array;
}

export class QuantizationError extends Error {
  override name = 'QuantizationError';
}

export function q4BlockCount(k: number, blockSize: number): number {
  return Math.ceil(k / blockSize);
}

/** Quantise a [N, K] weight. blockSize must be a power of two ≥ 16 (MatMulNBits' rule). */
export function quantizeQ4(weight: WeightTensor, blockSize = Q4_BLOCK_SIZE): Q4Weight {
  const [n, k] = weight.shape;
  if (weight.shape.length !== 2 || n === undefined || k === undefined) {
    throw new QuantizationError(`quantizeQ4 needs a 2-D [N, K] weight, got shape [${weight.shape.join(', ')}].`);
  }
  if (blockSize < 16 || (blockSize & (blockSize - 1)) !== 0) throw new QuantizationError(`blockSize must be a power of two ≥ 16, got ${blockSize}.`);
  const nBlocks = q4BlockCount(k, blockSize);
  const blob = blockSize / 2;
  const packed = new Uint8Array(n * nBlocks * blob);
  const scales = new Float32Array(n * nBlocks);
  const w = weight.data;
  for (let row = 0; row < n; row++) {
    for (let b = 0; b < nBlocks; b++) {
      const start = b * blockSize;
      const end = Math.min(start + blockSize, k);
      let absMax = 0;
      for (let c = start; c < end; c++) absMax = Math.max(absMax, Math.abs(w[row * k + c] ?? 0));
      const scale = Math.fround(absMax / 7);
      scales[row * nBlocks + b] = scale;
      const out = (row * nBlocks + b) * blob;
      for (let j = 0; j < blockSize; j++) {
        const c = start + j;
        const code = c < end && scale > 0 ? Math.min(15, Math.max(0, Math.round((w[row * k + c] ?? 0) / scale) + 8)) : 8;
        const at = out + (j >> 1);
        packed[at] = (packed[at] ?? 0) | (j % 2 === 0 ? code : code << 4);
      }
    }
  }
  return { n, k, blockSize, packed, scales };
}

/** The [N, K] float32 weight MatMulNBits effectively multiplies by: Ŵ = (code − 8) · scale. */
export function dequantizeQ4(q: Q4Weight): WeightTensor {
  const nBlocks = q4BlockCount(q.k, q.blockSize);
  const blob = q.blockSize / 2;
  const data = new Float32Array(q.n * q.k);
  for (let row = 0; row < q.n; row++) {
    for (let c = 0; c < q.k; c++) {
      const b = Math.floor(c / q.blockSize);
      const j = c % q.blockSize;
      const byte = q.packed[(row * nBlocks + b) * blob + (j >> 1)] ?? 0;
      const code = j % 2 === 0 ? byte & 0x0f : byte >> 4;
      data[row * q.k + c] = Math.fround((code - 8) * (q.scales[row * nBlocks + b] ?? 0));
    }
  }
  return { data, shape: [q.n, q.k] };
}
