/**
 * ONNX protobuf messages as plain data, and their encoding (field numbers from onnx/onnx.proto, IR v8+).
 * Only what the decoder builder emits: tensors with raw_data, value infos with symbolic dims, nodes with
 * int/float/ints/floats/string/tensor attributes, one graph, opset imports. Weights stay inline; the
 * protobuf format caps an inline model at 2 GiB (`ProtobufTooLargeError`), which is plenty for q4 models
 * up to ~3B parameters but not for fp32 ones of that size.
 *
 * Also a small reader (`readModelSummary`) that walks a model back to its inputs, outputs, initializer
 * names/shapes and op types, used by tests and to sanity-check files without onnxruntime.
 */
import { littleEndianBytes, ProtoWriter, readFields, readPackedVarints, type ProtoField } from './protobuf';

/** TensorProto.DataType values used here. */
export const ONNX_DTYPE = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9 } as const;
export type OnnxDtype = keyof typeof ONNX_DTYPE;

export interface TensorData {
  name: string;
  dims: readonly number[];
  /** Float32 → FLOAT, Int32 → INT32, BigInt64 → INT64, Uint8 → UINT8 (e.g. packed 4-bit codes), Int8 → INT8 (q8 codes). */
  data: Float32Array | Int32Array | BigInt64Array | Uint8Array | Int8Array;
}

/** A graph input/output: element type and dims, each a fixed size or a symbolic name (`batch_size`). */
export interface ValueInfo {
  name: string;
  dtype: OnnxDtype;
  dims: readonly (number | string)[];
}

export type AttributeValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: TensorData };

export interface NodeData {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  /** '' (or absent) is ai.onnx; 'com.microsoft' for onnxruntime contrib ops. */
  domain?: string;
  attributes?: Readonly<Record<string, AttributeValue>>;
}

export interface GraphData {
  name: string;
  nodes: readonly NodeData[];
  initializers: readonly TensorData[];
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
}

export interface ModelData {
  graph: GraphData;
  /** e.g. [{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }] */
  opsets: readonly { domain: string; version: number }[];
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  /** Free-form key/value metadata (ModelProto.metadata_props). */
  metadata?: Readonly<Record<string, string>>;
}

/** IR version 8 goes with opset 17 and is accepted by every onnxruntime since 1.13. */
export const DEFAULT_IR_VERSION = 8;

/** The TensorProto.DataType of an initializer's typed array (shared with model/externalData.ts). */
export function tensorDtypeOf(data: TensorData['data']): number {
  if (data instanceof Float32Array) return ONNX_DTYPE.float32;
  if (data instanceof Int8Array) return ONNX_DTYPE.int8;
  if (data instanceof Int32Array) return ONNX_DTYPE.int32;
  if (data instanceof BigInt64Array) return ONNX_DTYPE.int64;
  return ONNX_DTYPE.uint8;
}

export function encodeTensor(t: TensorData): ProtoWriter {
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (count !== t.data.length) throw new Error(`Tensor ${t.name}: dims [${t.dims.join(', ')}] hold ${count} elements, data has ${t.data.length}.`);
  const w = new ProtoWriter();
  if (t.dims.length > 0) w.packedVarints(1, t.dims); // dims (none for a scalar)
  return w
    .int(2, tensorDtypeOf(t.data)) // data_type
    .string(8, t.name) // name
    .bytes(9, littleEndianBytes(t.data)); // raw_data
}

export function encodeValueInfo(v: ValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.dims) {
    // TensorShapeProto.Dimension: dim_value = 1, dim_param = 2
    const dim = typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().int(1, ONNX_DTYPE[v.dtype]).message(2, shape); // elem_type, shape
  const type = new ProtoWriter().message(1, tensorType); // TypeProto.tensor_type
  return new ProtoWriter().string(1, v.name).message(2, type);
}

/** AttributeProto.AttributeType values. */
const ATTR_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

export function encodeAttribute(name: string, a: AttributeValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  switch (a.kind) {
    case 'float':
      w.float32(2, a.value);
      break;
    case 'int':
      w.int(3, a.value);
      break;
    case 'string':
      w.string(4, a.value);
      break;
    case 'tensor':
      w.message(5, encodeTensor(a.value));
      break;
    case 'floats':
      w.packedFloat32(7, a.value);
      break;
    case 'ints':
      w.packedVarints(8, a.value);
      break;
  }
  return w.int(20, ATTR_TYPE[a.kind]);
}

export function encodeNode(n: NodeData): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name !== undefined) w.string(3, n.name);
  w.string(4, n.opType);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(5, encodeAttribute(k, v));
  if (n.domain) w.string(7, n.domain);
  return w;
}

export function encodeGraph(g: GraphData): ProtoWriter {
  const w = new ProtoWriter();
  for (const n of g.nodes) w.message(1, encodeNode(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, encodeTensor(t));
  for (const v of g.inputs) w.message(11, encodeValueInfo(v));
  for (const v of g.outputs) w.message(12, encodeValueInfo(v));
  return w;
}

/** ModelProto bytes. Throws `ProtobufTooLargeError` past 2 GiB. */
export function encodeModel(m: ModelData): Uint8Array {
  const w = new ProtoWriter().int(1, m.irVersion ?? DEFAULT_IR_VERSION);
  w.string(2, m.producerName ?? 'router-r1-studio');
  if (m.producerVersion !== undefined) w.string(3, m.producerVersion);
  w.message(7, encodeGraph(m.graph));
  for (const o of m.opsets) {
    const op = new ProtoWriter();
    if (o.domain) op.string(1, o.domain);
    w.message(8, op.int(2, o.version));
  }
  for (const [key, value] of Object.entries(m.metadata ?? {})) w.message(14, new ProtoWriter().string(1, key).string(2, value));
  return w.finish();
}

// --- reading back -------------------------------------------------------------------------------

export interface ModelSummary {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  inputs: string[];
  outputs: string[];
  initializers: { name: string; dims: number[]; dataType: number; rawBytes: number }[];
  opTypes: string[];
  /** The declared dims of each graph input and output (a number, or a symbolic name such as 'batch_size'). */
  valueDims: { name: string; dims: (number | string)[] }[];
}

const utf8 = (b: Uint8Array): string => new TextDecoder().decode(b);
const bytesOf = (f: ProtoField): Uint8Array => (f.wireType === 2 ? f.value : new Uint8Array());
const nameOf = (msg: Uint8Array, field: number): string => {
  for (const f of readFields(msg)) if (f.field === field) return utf8(bytesOf(f));
  return '';
};

/** ValueInfoProto → its dims: type (2) → tensor_type (1) → shape (2) → dim (1) → dim_value (1) | dim_param (2). */
function valueInfoDims(msg: Uint8Array): (number | string)[] {
  const sub = (m: Uint8Array, field: number): Uint8Array => {
    for (const f of readFields(m)) if (f.field === field) return bytesOf(f);
    return new Uint8Array();
  };
  const dims: (number | string)[] = [];
  for (const d of readFields(sub(sub(sub(msg, 2), 1), 2))) {
    if (d.field !== 1) continue;
    let dim: number | string = '?';
    for (const v of readFields(bytesOf(d))) {
      if (v.field === 1 && v.wireType === 0) dim = Number(v.value);
      if (v.field === 2) dim = utf8(bytesOf(v));
    }
    dims.push(dim);
  }
  return dims;
}

/** Walk a ModelProto to its graph's interface and initializers (no tensor data is copied). */
export function readModelSummary(bytes: Uint8Array): ModelSummary {
  const s: ModelSummary = { irVersion: 0, opsets: [], inputs: [], outputs: [], initializers: [], opTypes: [], valueDims: [] };
  for (const f of readFields(bytes)) {
    if (f.field === 1 && f.wireType === 0) s.irVersion = Number(f.value);
    if (f.field === 8) {
      let domain = '';
      let version = 0;
      for (const g of readFields(bytesOf(f))) {
        if (g.field === 1) domain = utf8(bytesOf(g));
        if (g.field === 2 && g.wireType === 0) version = Number(g.value);
      }
      s.opsets.push({ domain, version });
    }
    if (f.field !== 7) continue;
    for (const g of readFields(bytesOf(f))) {
      if (g.field === 1) s.opTypes.push(nameOf(bytesOf(g), 4));
      if (g.field === 11 || g.field === 12) {
        const name = nameOf(bytesOf(g), 1);
        (g.field === 11 ? s.inputs : s.outputs).push(name);
        s.valueDims.push({ name, dims: valueInfoDims(bytesOf(g)) });
      }
      if (g.field === 5) {
        const t = { name: '', dims: [] as number[], dataType: 0, rawBytes: 0 };
        for (const h of readFields(bytesOf(g))) {
          if (h.field === 1) t.dims = h.wireType === 0 ? [...t.dims, Number(h.value)] : [...t.dims, ...readPackedVarints(bytesOf(h))];
          if (h.field === 2 && h.wireType === 0) t.dataType = Number(h.value);
          if (h.field === 8) t.name = utf8(bytesOf(h));
          if (h.field === 9) t.rawBytes = bytesOf(h).byteLength;
        }
        s.initializers.push(t);
      }
    }
  }
  return s;
}
