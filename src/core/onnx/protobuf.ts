/**
 * A minimal protocol-buffers wire-format writer and reader, enough to emit and inspect ONNX models
 * without a generated schema (no protobufjs in core, no code generator on this machine).
 *
 * Wire format (https://protobuf.dev/programming-guides/encoding/):
 *   tag     = (field_number << 3) | wire_type
 *   type 0  = varint (int32/int64/uint64/bool/enum; negative int64 takes 10 bytes, two's complement)
 *   type 1  = fixed64 (double), little-endian
 *   type 2  = length-delimited (string, bytes, sub-message, packed repeated scalars)
 *   type 5  = fixed32 (float), little-endian
 *
 * The writer never copies large payloads while nesting: a message is a list of chunks plus a byte length,
 * and a sub-message appends its chunks after its length prefix. `finish()` concatenates once. This matters
 * for model files, whose initializers are most of the bytes.
 *
 * Not for: decoding arbitrary protobuf (the reader only walks fields), or messages over 2 GiB — the
 * protobuf limit that also caps an ONNX file without external data (`ProtobufTooLargeError`).
 */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH_DELIMITED = 2;
export const WIRE_FIXED32 = 5;

/** 2^31 − 1: protobuf's hard limit on one serialized message (and so on an inline ONNX file). */
export const PROTOBUF_MAX_BYTES = 2 ** 31 - 1;

export class ProtobufTooLargeError extends Error {
  override name = 'ProtobufTooLargeError';
}

export class ProtobufDecodeError extends Error {
  override name = 'ProtobufDecodeError';
}

const IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Bytes of a typed array in little-endian order (raw_data is always little-endian in ONNX). */
export function littleEndianBytes(a: Float32Array | Int32Array | BigInt64Array | Uint8Array | Int8Array): Uint8Array {
  if (!IS_LITTLE_ENDIAN && a.BYTES_PER_ELEMENT > 1) throw new Error('Big-endian hosts are not supported for ONNX raw_data.');
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private scratch: number[] = [];
  private length = 0;

  get byteLength(): number {
    return this.length + this.scratch.length;
  }

  /** Unsigned varint for safe integers 0 ≤ n < 2^53 (bigint for more); negative (int64) values go through the 10-byte two's complement. */
  varint(n: number | bigint): this {
    if (typeof n === 'bigint' || n < 0) return this.varintBig(BigInt.asUintN(64, BigInt(n)));
    if (!Number.isSafeInteger(n)) throw new RangeError(`varint must be a safe integer, got ${n}`);
    while (n >= 0x80) {
      this.scratch.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.scratch.push(n);
    return this;
  }

  private varintBig(u: bigint): this {
    while (u >= 0x80n) {
      this.scratch.push(Number(u & 0x7fn) | 0x80);
      u >>= 7n;
    }
    this.scratch.push(Number(u));
    return this;
  }

  tag(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  /** Append bytes without copying them (flushes the small-scalar scratch first). */
  raw(bytes: Uint8Array): this {
    this.flush();
    this.chunks.push(bytes);
    this.length += bytes.byteLength;
    return this;
  }

  private flush(): void {
    if (this.scratch.length === 0) return;
    const b = Uint8Array.from(this.scratch);
    this.scratch = [];
    this.chunks.push(b);
    this.length += b.byteLength;
  }

  // --- fields ---------------------------------------------------------------------------------

  int(field: number, n: number | bigint): this {
    return this.tag(field, WIRE_VARINT).varint(n);
  }

  float32(field: number, x: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, x, true);
    return this.tag(field, WIRE_FIXED32).raw(b);
  }

  float64(field: number, x: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, x, true);
    return this.tag(field, WIRE_FIXED64).raw(b);
  }

  bytes(field: number, b: Uint8Array): this {
    return this.tag(field, WIRE_LENGTH_DELIMITED).varint(b.byteLength).raw(b);
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  /** A sub-message: its chunks are adopted, not copied. */
  message(field: number, m: ProtoWriter): this {
    m.flush();
    this.tag(field, WIRE_LENGTH_DELIMITED).varint(m.length);
    this.flush();
    for (const c of m.chunks) this.chunks.push(c);
    this.length += m.length;
    return this;
  }

  /** Packed repeated varints (repeated int64 in proto3 packs by default; proto2 parsers accept it too). */
  packedVarints(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.message(field, inner);
  }

  /** Packed repeated float (fixed32 each). */
  packedFloat32(field: number, values: ArrayLike<number>): this {
    const b = new Uint8Array(values.length * 4);
    const view = new DataView(b.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] ?? 0, true);
    return this.bytes(field, b);
  }

  /** Concatenate once. Throws when the result would exceed protobuf's 2 GiB limit. */
  finish(): Uint8Array {
    this.flush();
    if (this.length > PROTOBUF_MAX_BYTES) {
      throw new ProtobufTooLargeError(
        `The serialized message is ${this.length} bytes, over protobuf's 2 GiB limit. ` +
          'Store the weights as ONNX external data (or quantize to q4) instead of inline.',
      );
    }
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }
}

/** One decoded field: varints as bigint (int64-safe); length-delimited as a view into the input. */
export type ProtoField =
  | { field: number; wireType: typeof WIRE_VARINT; value: bigint }
  | { field: number; wireType: typeof WIRE_FIXED64; value: Uint8Array }
  | { field: number; wireType: typeof WIRE_LENGTH_DELIMITED; value: Uint8Array }
  | { field: number; wireType: typeof WIRE_FIXED32; value: Uint8Array };

function readVarint(buf: Uint8Array, at: number): { value: bigint; next: number } {
  let value = 0n;
  for (let shift = 0n, i = at; i < buf.length && shift < 70n; i++, shift += 7n) {
    const b = buf[i] ?? 0;
    value |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return { value: BigInt.asUintN(64, value), next: i + 1 };
  }
  throw new ProtobufDecodeError(`Truncated or overlong varint at byte ${at}.`);
}

/** Walk the top-level fields of one message. Throws `ProtobufDecodeError` on truncation. */
export function* readFields(buf: Uint8Array): Generator<ProtoField> {
  let at = 0;
  while (at < buf.length) {
    const tag = readVarint(buf, at);
    at = tag.next;
    const field = Number(tag.value >> 3n);
    const wireType = Number(tag.value & 7n);
    if (wireType === WIRE_VARINT) {
      const v = readVarint(buf, at);
      at = v.next;
      yield { field, wireType, value: v.value };
      continue;
    }
    let size: number;
    if (wireType === WIRE_FIXED64) size = 8;
    else if (wireType === WIRE_FIXED32) size = 4;
    else if (wireType === WIRE_LENGTH_DELIMITED) {
      const len = readVarint(buf, at);
      at = len.next;
      size = Number(len.value);
    } else throw new ProtobufDecodeError(`Unsupported wire type ${wireType} at byte ${at}.`);
    if (at + size > buf.length) throw new ProtobufDecodeError(`Field ${field} runs past the end (${at + size} > ${buf.length}).`);
    const value = buf.subarray(at, at + size);
    at += size;
    yield { field, wireType, value } as ProtoField;
  }
}

/** Decode a packed repeated varint payload (e.g. TensorProto.dims) as numbers (int64 reinterpreted signed). */
export function readPackedVarints(payload: Uint8Array): number[] {
  const out: number[] = [];
  for (let at = 0; at < payload.length; ) {
    const v = readVarint(payload, at);
    out.push(Number(BigInt.asIntN(64, v.value)));
    at = v.next;
  }
  return out;
}
