import { describe, expect, it } from 'vitest';
import { memoryByteSource, type ByteSource } from './modelSource';
import { decodeFloatTensor, parseSafetensorsIndex, readSafetensors, readSafetensorsHeader, SafetensorsError, writeSafetensors } from './safetensors';

const tensors = [
  { name: 'a.weight', shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 0.25, -0.125]) },
  { name: 'b.bias', shape: [3], data: Float32Array.from([1, 2, 3]), dtype: 'BF16' as const },
  { name: 'c.norm', shape: [2], data: Float32Array.from([0.5, -65504]), dtype: 'F16' as const },
];

/** A ByteSource that records each read, to prove tensors are read one at a time. */
function spied(bytes: Uint8Array): ByteSource & { reads: [number, number][] } {
  const inner = memoryByteSource(bytes);
  const reads: [number, number][] = [];
  return { size: inner.size, reads, read: (o, l, opts) => (reads.push([o, l]), inner.read(o, l, opts)) };
}

describe('safetensors', () => {
  it('round-trips F32, BF16 and F16 tensors with metadata; the header is 8-byte aligned', async () => {
    const file = writeSafetensors(tensors, { format: 'pt' });
    const headerLength = new DataView(file.buffer).getUint32(0, true);
    expect(headerLength % 8).toBe(0);
    const header = await readSafetensorsHeader(memoryByteSource(file));
    expect(header.metadata).toEqual({ format: 'pt' });
    expect(header.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual([['a.weight', 'F32', [2, 3]], ['b.bias', 'BF16', [3]], ['c.norm', 'F16', [2]]]);
    const read = new Map<string, number[]>();
    for await (const t of readSafetensors(memoryByteSource(file), header)) read.set(t.name, Array.from(t.tensor.data));
    expect(read).toEqual(new Map([['a.weight', [1, -2, 3.5, 0, 0.25, -0.125]], ['b.bias', [1, 2, 3]], ['c.norm', [0.5, -65504]]]));
  });

  it('streams: one range read per tensor, only the ones asked for', async () => {
    const file = writeSafetensors(tensors);
    const src = spied(file);
    const header = await readSafetensorsHeader(src);
    src.reads.length = 0;
    const names: string[] = [];
    for await (const t of readSafetensors(src, header, { names: new Set(['c.norm', 'a.weight']) })) names.push(t.name);
    expect(names).toEqual(['a.weight', 'c.norm']);
    expect(src.reads.map(([, l]) => l)).toEqual([24, 4]);
  });

  it('says a truncated file is truncated (header or data) and what to do', async () => {
    const file = writeSafetensors(tensors);
    await expect(readSafetensorsHeader(memoryByteSource(file.subarray(0, file.length - 3)), 'model.safetensors')).rejects.toThrow(/model\.safetensors is truncated: its tensors need \d+ bytes, the file has \d+\. Delete it and download it again/);
    await expect(readSafetensorsHeader(memoryByteSource(file.subarray(0, 20)))).rejects.toThrow(/truncated: its header needs/);
    await expect(readSafetensorsHeader(memoryByteSource(file.subarray(0, 5)))).rejects.toThrow(/too short/);
  });

  it('rejects corrupt headers: bad JSON, sizes that disagree with shapes, overlaps, unknown dtypes', async () => {
    const withHeader = (json: string): Uint8Array => {
      const h = new TextEncoder().encode(json);
      const out = new Uint8Array(8 + h.length + 64);
      new DataView(out.buffer).setUint32(0, h.length, true);
      out.set(h, 8);
      return out;
    };
    const cases: [string, RegExp][] = [
      ['{not json', /not valid JSON/],
      ['{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', /spans 4 bytes but shape \[2\] of F32 needs 8/],
      ['{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', /overlap/],
      ['{"x":{"dtype":"Q4","shape":[2],"data_offsets":[0,1]}}', /unknown dtype "Q4"/],
      ['{"__metadata__":{"n":1}}', /__metadata__\.n must be a string/],
    ];
    for (const [json, message] of cases) {
      const err = await readSafetensorsHeader(memoryByteSource(withHeader(json))).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SafetensorsError);
      expect((err as Error).message).toMatch(message);
    }
    const bigHeader = new Uint8Array(16);
    new DataView(bigHeader.buffer).setUint32(4, 1, true); // 2^32-byte header
    await expect(readSafetensorsHeader(memoryByteSource(bigHeader))).rejects.toThrow(/not a safetensors file/);
  });

  it('refuses integer tensors only when they are read as weights', () => {
    expect(() => decodeFloatTensor({ name: 'ids', dtype: 'I64', shape: [1] }, new Uint8Array(8))).toThrow(/only F32, F16 and BF16/);
  });

  it('parses a shard index and refuses paths outside the folder', () => {
    expect(parseSafetensorsIndex({ weight_map: { a: 'model-00001-of-00002.safetensors' } })).toEqual(new Map([['a', 'model-00001-of-00002.safetensors']]));
    expect(() => parseSafetensorsIndex({})).toThrow(/no "weight_map"/);
    expect(() => parseSafetensorsIndex({ weight_map: { a: '../x.safetensors' } })).toThrow(/not a \.safetensors file in the folder/);
  });
});
