import { describe, expect, it } from 'vitest';
import { ProtobufDecodeError, ProtoWriter, readFields, readPackedVarints } from './protobuf';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

describe('ProtoWriter varints', () => {
  it.each([
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '80 01'],
    [150, '96 01'],
    [300, 'ac 02'],
    [2 ** 32, '80 80 80 80 10'],
    [2 ** 53 - 1, 'ff ff ff ff ff ff ff 0f'],
  ])('%d encodes as %s', (n, expected) => {
    expect(hex(new ProtoWriter().varint(n).finish())).toBe(expected);
  });

  it('encodes negative int64 as ten bytes of two’s complement', () => {
    expect(hex(new ProtoWriter().varint(-1).finish())).toBe('ff ff ff ff ff ff ff ff ff 01');
    expect(hex(new ProtoWriter().varint(-2n).finish())).toBe('fe ff ff ff ff ff ff ff ff 01');
  });

  it('rejects unsafe integers instead of silently rounding them', () => {
    expect(() => new ProtoWriter().varint(2 ** 60)).toThrow(RangeError);
  });
});

describe('ProtoWriter fields (the examples of the protobuf encoding guide)', () => {
  it('field 1 = 150 → 08 96 01', () => {
    expect(hex(new ProtoWriter().int(1, 150).finish())).toBe('08 96 01');
  });

  it('field 2 = "testing" → 12 07 74 65 73 74 69 6e 67', () => {
    expect(hex(new ProtoWriter().string(2, 'testing').finish())).toBe('12 07 74 65 73 74 69 6e 67');
  });

  it('nested message field 3 { 1: 150 } → 1a 03 08 96 01', () => {
    expect(hex(new ProtoWriter().message(3, new ProtoWriter().int(1, 150)).finish())).toBe('1a 03 08 96 01');
  });

  it('packed repeated field 4 = [3, 270, 86942] → 22 06 03 8e 02 9e a7 05', () => {
    expect(hex(new ProtoWriter().packedVarints(4, [3, 270, 86942]).finish())).toBe('22 06 03 8e 02 9e a7 05');
  });

  it('fixed32 float and fixed64 double are little-endian', () => {
    expect(hex(new ProtoWriter().float32(2, 1).finish())).toBe('15 00 00 80 3f');
    expect(hex(new ProtoWriter().float64(1, 1).finish())).toBe('09 00 00 00 00 00 00 f0 3f');
    expect(hex(new ProtoWriter().packedFloat32(7, [1, -2]).finish())).toBe('3a 08 00 00 80 3f 00 00 00 c0');
  });
});

describe('readFields', () => {
  it('walks back what the writer wrote, nested payloads included', () => {
    const inner = new ProtoWriter().packedVarints(1, [2, -1, 300]);
    const bytes = new ProtoWriter().int(1, 8).string(2, 'hi').message(7, inner).float32(9, 0.5).finish();
    const fields = [...readFields(bytes)];
    expect(fields.map((f) => [f.field, f.wireType])).toEqual([[1, 0], [2, 2], [7, 2], [9, 5]]);
    expect(fields[0]?.value).toBe(8n);
    expect(new TextDecoder().decode(fields[1]?.value as Uint8Array)).toBe('hi');
    const nested = [...readFields(fields[2]?.value as Uint8Array)];
    expect(readPackedVarints(nested[0]?.value as Uint8Array)).toEqual([2, -1, 300]);
  });

  it('throws ProtobufDecodeError on a truncated message', () => {
    const bytes = new ProtoWriter().string(2, 'testing').finish();
    expect(() => [...readFields(bytes.subarray(0, 5))]).toThrow(ProtobufDecodeError);
    expect(() => [...readFields(Uint8Array.from([0x08, 0x96]))]).toThrow(ProtobufDecodeError);
  });
});
