/**
 * ONNX encoding with the weights in an external data file — how models past protobuf's 2 GiB limit are
 * stored (a 3B decoder in q4 with a float32 embedding is ~3 GB). The .onnx file keeps the graph; each
 * large initializer becomes a TensorProto with
 *
 *   data_location = EXTERNAL (field 14)
 *   external_data = [{location: "model_q4.onnx_data"}, {offset: "<bytes>"}, {length: "<bytes>"}]   (field 13)
 *
 * and its bytes go to the data file at that offset (onnx/onnx.proto; onnxruntime reads the file next to the
 * model, onnxruntime-web takes it as `externalData: [{ path, data }]`). The data file is returned as chunks
 * (views on the initializers plus zero padding) so it is never concatenated in memory.
 *
 * Offsets are aligned (4096 for tensors ≥ 1 MiB, like onnx's `align_offset`, else 64) so memory-mapping
 * readers can use them in place. Small initializers (< `minBytes`) stay inline, as the onnx tools do.
 * Not for: reading external data back (onnxruntime does that).
 */
import { encodeNode, encodeTensor, encodeValueInfo, DEFAULT_IR_VERSION, ONNX_DTYPE, type ModelData, type TensorData } from '../onnx/onnxProto';
import { littleEndianBytes, ProtoWriter, PROTOBUF_MAX_BYTES } from '../onnx/protobuf';

export interface ExternalDataOptions {
  /** File name of the data file, relative to the .onnx file (e.g. `model_q4.onnx_data`). */
  location: string;
  /** Initializers smaller than this stay inline (default 1024 bytes). */
  minBytes?: number;
}

export interface EncodedModel {
  /** The .onnx file. */
  model: Uint8Array;
  /** Present when any initializer went external. */
  externalData?: { location: string; chunks: Uint8Array[]; byteLength: number };
}

/** TensorProto.DataLocation.EXTERNAL */
const DATA_LOCATION_EXTERNAL = 1;
const PAGE_ALIGN = 4096;
const SMALL_ALIGN = 64;
const PAGE_ALIGN_FROM_BYTES = 1 << 20;

/** Bytes the model would take inline (initializer payloads dominate; the graph adds well under 1 MiB per layer). */
export function inlinePayloadBytes(m: ModelData): number {
  return m.graph.initializers.reduce((n, t) => n + t.data.byteLength, 0);
}

/** Inline encoding would come too close to protobuf's 2 GiB cap (64 MiB kept for the graph itself). */
export function needsExternalData(m: ModelData): boolean {
  return inlinePayloadBytes(m) > PROTOBUF_MAX_BYTES - 64 * 2 ** 20;
}

function dtypeOf(data: TensorData['data']): number {
  if (data instanceof Float32Array) return ONNX_DTYPE.float32;
  if (data instanceof Int8Array) return ONNX_DTYPE.int8;
  if (data instanceof Int32Array) return ONNX_DTYPE.int32;
  if (data instanceof BigInt64Array) return ONNX_DTYPE.int64;
  return ONNX_DTYPE.uint8;
}

function externalTensor(t: TensorData, location: string, offset: number, length: number): ProtoWriter {
  const entry = (key: string, value: string): ProtoWriter => new ProtoWriter().string(1, key).string(2, value); // StringStringEntryProto
  const w = new ProtoWriter();
  if (t.dims.length > 0) w.packedVarints(1, t.dims); // dims
  w.int(2, dtypeOf(t.data)).string(8, t.name); // data_type, name
  w.message(13, entry('location', location)).message(13, entry('offset', String(offset))).message(13, entry('length', String(length)));
  return w.int(14, DATA_LOCATION_EXTERNAL);
}

/** Encode `m` with its large initializers in an external data file (field layout as encodeModel's). */
export function encodeModelWithExternalData(m: ModelData, opts: ExternalDataOptions): EncodedModel {
  const minBytes = opts.minBytes ?? 1024;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const graph = new ProtoWriter();
  for (const n of m.graph.nodes) graph.message(1, encodeNode(n));
  graph.string(2, m.graph.name);
  for (const t of m.graph.initializers) {
    const bytes = littleEndianBytes(t.data);
    if (bytes.byteLength < minBytes) {
      graph.message(5, encodeTensor(t));
      continue;
    }
    const align = bytes.byteLength >= PAGE_ALIGN_FROM_BYTES ? PAGE_ALIGN : SMALL_ALIGN;
    const pad = (align - (offset % align)) % align;
    if (pad > 0) chunks.push(new Uint8Array(pad));
    offset += pad;
    graph.message(5, externalTensor(t, opts.location, offset, bytes.byteLength));
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  for (const v of m.graph.inputs) graph.message(11, encodeValueInfo(v));
  for (const v of m.graph.outputs) graph.message(12, encodeValueInfo(v));

  const w = new ProtoWriter().int(1, m.irVersion ?? DEFAULT_IR_VERSION);
  w.string(2, m.producerName ?? 'router-r1-studio');
  if (m.producerVersion !== undefined) w.string(3, m.producerVersion);
  w.message(7, graph);
  for (const o of m.opsets) {
    const op = new ProtoWriter();
    if (o.domain) op.string(1, o.domain);
    w.message(8, op.int(2, o.version));
  }
  for (const [key, value] of Object.entries(m.metadata ?? {})) w.message(14, new ProtoWriter().string(1, key).string(2, value));
  const model = w.finish();
  return offset === 0 ? { model } : { model, externalData: { location: opts.location, chunks, byteLength: offset } };
}
