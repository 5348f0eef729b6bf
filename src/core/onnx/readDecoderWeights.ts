/**
 * Read the HF-named float32 weights back out of an ONNX decoder that buildDecoder.ts (or the streaming
 * converter, which emits the same initializers) wrote, so a shipped model folder can be the starting
 * point of training. The result has exactly the names and shapes of weights.ts expectedWeightShapes.
 *
 * What each precision stores (decoderGraph.ts linear, buildDecoder.ts embedTokens/lmHead) and how it is read:
 *   fp32  `{linear}.weight`          float32 [in, out] (transposed)           → transposed back to [out, in]
 *   q4    `{linear}.weight_q4`       uint8 [N, nBlocks, blockSize/2]          → dequantizeQ4: (code − 8) · scale,
 *         `{linear}.weight_scales`   float32 [N · nBlocks]                      exactly what MatMulNBits computes with
 *   q8    `{linear}.weight_q8`       int8 [K, N] + scales float32 [N]        → dequantizeQ8: code · scale
 *   norms, biases, `model.embed_tokens.weight` [V, H]: float32 as is; a tied q8 model stores the embedding
 *   as `model.embed_tokens.weight_q8` int8 [H, V] + `model.embed_tokens.weight_scales` [V] (dequantised).
 * Each linear layer is read in whichever of the three forms is present (a mixed file reads too).
 *
 * The protobuf walk is our own (protobuf.ts readFields): ModelProto.graph (7) → GraphProto.initializer (5)
 * → TensorProto dims (1), data_type (2), float_data (4), name (8), raw_data (9), data_location (14).
 * Tensor bytes are copied out of the file (the result does not keep the file alive).
 *
 * Errors (`DecoderWeightsReadError`) say which initializer is missing or mis-shaped and that the file must
 * be one this project built for this config.json. Not for: ONNX exports from other tools (optimum's
 * initializer names differ), external-data files (weights beside the .onnx), or fp16/bf16 tensors.
 */
import type { DecoderConfig } from './decoderConfig';
import type { Precision } from './decoderGraph';
import { ONNX_DTYPE } from './onnxProto';
import { ProtobufDecodeError, readFields, readPackedVarints, WIRE_FIXED32, WIRE_LENGTH_DELIMITED, WIRE_VARINT } from './protobuf';
import { dequantizeQ4, q4BlockCount } from './quantizeQ4';
import { dequantizeQ8 } from './quantizeQ8';
import { expectedWeightShapes, LINEAR_NAMES, linearPrefix, type WeightTensor } from './weights';

export class DecoderWeightsReadError extends Error {
  override name = 'DecoderWeightsReadError';
}

/** One initializer as stored: views into the file, nothing decoded yet. */
export interface RawInitializer {
  name: string;
  dims: number[];
  dataType: number;
  /** raw_data, or null when the values are in float_data. */
  raw: Uint8Array | null;
  /** float_data values (packed or not), when raw_data is absent. */
  floatData: number[] | null;
  external: boolean;
}

export interface ReadDecoderWeights {
  /** HF name → float32 tensor (expectedWeightShapes' names and shapes). */
  weights: Map<string, WeightTensor>;
  /** How the linear layers were stored: from the metadata (`router_r1.precision`), else from the initializers. */
  precision: Precision;
  /** ModelProto.metadata_props. */
  metadata: Record<string, string>;
}

const utf8 = (b: Uint8Array): string => new TextDecoder().decode(b);
/** A plain Uint8Array copy with its own exact-size buffer (the input may be a view, e.g. a pooled Node Buffer). */
const copyOf = (b: Uint8Array): Uint8Array => new Uint8Array(b);

/** Walk a ModelProto to its graph's initializers (by name) and metadata. Throws on a file that is not ONNX. */
export function readOnnxInitializers(bytes: Uint8Array, where = 'the ONNX file'): { initializers: Map<string, RawInitializer>; metadata: Record<string, string> } {
  const initializers = new Map<string, RawInitializer>();
  const metadata: Record<string, string> = {};
  let graphs = 0;
  try {
    for (const f of readFields(bytes)) {
      if (f.field === 14 && f.wireType === WIRE_LENGTH_DELIMITED) {
        let key = '';
        let value = '';
        for (const g of readFields(f.value)) {
          if (g.field === 1 && g.wireType === WIRE_LENGTH_DELIMITED) key = utf8(g.value);
          if (g.field === 2 && g.wireType === WIRE_LENGTH_DELIMITED) value = utf8(g.value);
        }
        metadata[key] = value;
      }
      if (f.field !== 7 || f.wireType !== WIRE_LENGTH_DELIMITED) continue;
      graphs++;
      for (const g of readFields(f.value)) {
        if (g.field !== 5 || g.wireType !== WIRE_LENGTH_DELIMITED) continue;
        const t = readTensor(g.value);
        initializers.set(t.name, t);
      }
    }
  } catch (err) {
    if (err instanceof ProtobufDecodeError) throw new DecoderWeightsReadError(`${where} is not a readable ONNX model (${err.message}).`, { cause: err });
    throw err;
  }
  if (graphs === 0) throw new DecoderWeightsReadError(`${where} is not an ONNX model: it has no graph (ModelProto field 7).`);
  return { initializers, metadata };
}

function readTensor(msg: Uint8Array): RawInitializer {
  const t: RawInitializer = { name: '', dims: [], dataType: 0, raw: null, floatData: null, external: false };
  for (const h of readFields(msg)) {
    if (h.field === 1) t.dims = h.wireType === WIRE_VARINT ? [...t.dims, Number(BigInt.asIntN(64, h.value))] : h.wireType === WIRE_LENGTH_DELIMITED ? [...t.dims, ...readPackedVarints(h.value)] : t.dims;
    else if (h.field === 2 && h.wireType === WIRE_VARINT) t.dataType = Number(h.value);
    else if (h.field === 4 && (h.wireType === WIRE_LENGTH_DELIMITED || h.wireType === WIRE_FIXED32)) {
      // float_data: packed (length-delimited) or one fixed32 per value
      const view = new DataView(h.value.buffer, h.value.byteOffset, h.value.byteLength);
      const values = t.floatData ?? [];
      for (let i = 0; i + 4 <= h.value.byteLength; i += 4) values.push(view.getFloat32(i, true));
      t.floatData = values;
    } else if (h.field === 8 && h.wireType === WIRE_LENGTH_DELIMITED) t.name = utf8(h.value);
    else if (h.field === 9 && h.wireType === WIRE_LENGTH_DELIMITED) t.raw = h.value;
    else if (h.field === 14 && h.wireType === WIRE_VARINT) t.external = h.value === 1n;
  }
  return t;
}

const DTYPE_NAMES: Record<number, string> = { 1: 'float32', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 16: 'bfloat16' };
const dtypeName = (d: number): string => DTYPE_NAMES[d] ?? `data_type ${d}`;
const count = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);
const shapeText = (dims: readonly number[]): string => `[${dims.join(', ')}]`;

/**
 * The HF-named float32 weights of a decoder this project's builder wrote (any precision), for `config`
 * (the folder's config.json). Throws `DecoderWeightsReadError` naming the first initializer that is missing
 * or does not fit the config.
 */
export function readDecoderWeights(bytes: Uint8Array, config: DecoderConfig, where = 'the ONNX file'): ReadDecoderWeights {
  const { initializers, metadata } = readOnnxInitializers(bytes, where);
  const notOurs = `; ${where} must be a decoder built by this project (cli convert, train-default, make-tiny-models or a checkpoint's folder) for this config.json`;

  function tensor(name: string, dims: readonly number[], dataType: number): RawInitializer {
    const t = initializers.get(name);
    if (t === undefined) throw new DecoderWeightsReadError(`Initializer ${name} is missing${notOurs}.`);
    if (t.external) throw new DecoderWeightsReadError(`Initializer ${name} is stored as external data (beside the .onnx); reading weights from external data is not supported.`);
    if (t.dataType !== dataType) throw new DecoderWeightsReadError(`Initializer ${name} is ${dtypeName(t.dataType)}, expected ${dtypeName(dataType)}${notOurs}.`);
    if (t.dims.length !== dims.length || t.dims.some((d, i) => d !== dims[i])) throw new DecoderWeightsReadError(`Initializer ${name} has shape ${shapeText(t.dims)}, expected ${shapeText(dims)}${notOurs}.`);
    const size = dataType === ONNX_DTYPE.float32 ? 4 : 1;
    const have = t.raw !== null ? t.raw.byteLength / size : (t.floatData?.length ?? 0);
    if (have !== count(dims)) throw new DecoderWeightsReadError(`Initializer ${name} holds ${have} values, its shape ${shapeText(dims)} needs ${count(dims)}${notOurs}.`);
    return t;
  }
  const f32 = (name: string, dims: readonly number[]): Float32Array => {
    const t = tensor(name, dims, ONNX_DTYPE.float32);
    if (t.raw === null) return Float32Array.from(t.floatData ?? []);
    return new Float32Array(copyOf(t.raw).buffer); // a copy: 4-byte aligned, not a view into the file
  };
  const u8 = (name: string, dims: readonly number[]): Uint8Array => copyOf(tensor(name, dims, ONNX_DTYPE.uint8).raw ?? new Uint8Array());
  const i8 = (name: string, dims: readonly number[]): Int8Array => new Int8Array(copyOf(tensor(name, dims, ONNX_DTYPE.int8).raw ?? new Uint8Array()).buffer);

  const seen = new Set<Precision>();
  /** A linear weight [n, k] (HF [out, in]) in whichever form the file holds. */
  function linearWeight(prefix: string, n: number, k: number): WeightTensor {
    if (initializers.has(`${prefix}.weight_q4`)) {
      seen.add('q4');
      const packedDims = initializers.get(`${prefix}.weight_q4`)?.dims ?? [];
      const blob = packedDims[2] ?? 0;
      const blockSize = blob * 2;
      if (blockSize < 16 || (blockSize & (blockSize - 1)) !== 0) throw new DecoderWeightsReadError(`Initializer ${prefix}.weight_q4 has shape ${shapeText(packedDims)}: not a 4-bit block layout [N, nBlocks, blockSize/2]${notOurs}.`);
      const nBlocks = q4BlockCount(k, blockSize);
      const packed = u8(`${prefix}.weight_q4`, [n, nBlocks, blob]);
      const scales = f32(`${prefix}.weight_scales`, [n * nBlocks]);
      return dequantizeQ4({ n, k, blockSize, packed, scales });
    }
    if (initializers.has(`${prefix}.weight_q8`)) {
      seen.add('q8');
      return dequantizeQ8({ n, k, codes: i8(`${prefix}.weight_q8`, [k, n]), scales: f32(`${prefix}.weight_scales`, [n]) });
    }
    if (!initializers.has(`${prefix}.weight`)) throw new DecoderWeightsReadError(`Initializer ${prefix}.weight (fp32), ${prefix}.weight_q4 (q4) or ${prefix}.weight_q8 (q8) is missing${notOurs}.`);
    seen.add('fp32');
    const t = f32(`${prefix}.weight`, [k, n]); // stored [in, out]
    const data = new Float32Array(n * k);
    for (let r = 0; r < k; r++) for (let c = 0; c < n; c++) data[c * k + r] = t[r * n + c] ?? 0;
    return { data, shape: [n, k] };
  }

  const linears = new Set<string>();
  for (let i = 0; i < config.numLayers; i++) for (const l of LINEAR_NAMES) linears.add(`${linearPrefix(i, l)}.weight`);
  if (!config.tieWordEmbeddings) linears.add('lm_head.weight');

  const weights = new Map<string, WeightTensor>();
  for (const [name, shape] of expectedWeightShapes(config)) {
    const [n = 0, k = 0] = shape;
    if (linears.has(name)) weights.set(name, linearWeight(name.slice(0, -'.weight'.length), n, k));
    else if (name === 'model.embed_tokens.weight' && !initializers.has(name) && initializers.has('model.embed_tokens.weight_q8')) {
      // tied q8: int8 [H, V] shared with the head, one scale per vocabulary row
      seen.add('q8');
      weights.set(name, dequantizeQ8({ n, k, codes: i8('model.embed_tokens.weight_q8', [k, n]), scales: f32('model.embed_tokens.weight_scales', [n]) }));
    } else weights.set(name, { data: f32(name, shape), shape });
  }

  const stated = metadata['router_r1.precision'];
  const precision: Precision = stated === 'fp32' || stated === 'q4' || stated === 'q8' ? stated : seen.has('q4') ? 'q4' : seen.has('q8') ? 'q8' : 'fp32';
  return { weights, precision, metadata };
}
