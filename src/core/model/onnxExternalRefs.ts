/**
 * Which external data files an ONNX model reads, and how far into each: the TensorProtos whose
 * data_location is EXTERNAL (field 14 = 1) and their `location` / `offset` / `length` entries (field 13).
 * A loader fetches these files next to the .onnx file and checks their length before onnxruntime does.
 *
 * Not for: reading the tensors themselves.
 */
import { readFields, type ProtoField } from '../onnx/protobuf';

const bytesOf = (f: ProtoField): Uint8Array => (f.wireType === 2 ? f.value : new Uint8Array());
const utf8 = new TextDecoder();

/** location → bytes the model needs from it (max offset + length). Throws ProtobufDecodeError on truncation. */
export function findExternalData(model: Uint8Array): Map<string, number> {
  const needed = new Map<string, number>();
  for (const f of readFields(model)) {
    if (f.field !== 7) continue; // ModelProto.graph
    for (const g of readFields(bytesOf(f))) {
      if (g.field !== 5) continue; // GraphProto.initializer
      let external = false;
      const entries = new Map<string, string>();
      for (const t of readFields(bytesOf(g))) {
        if (t.field === 14 && t.wireType === 0) external = t.value === 1n;
        if (t.field !== 13) continue;
        let key = '';
        let value = '';
        for (const e of readFields(bytesOf(t))) {
          if (e.field === 1) key = utf8.decode(bytesOf(e));
          if (e.field === 2) value = utf8.decode(bytesOf(e));
        }
        entries.set(key, value);
      }
      const location = entries.get('location');
      if (!external || location === undefined) continue;
      const end = Number(entries.get('offset') ?? '0') + Number(entries.get('length') ?? '0');
      needed.set(location, Math.max(needed.get(location) ?? 0, end));
    }
  }
  return needed;
}
