/**
 * core/onnx/expandQ4.ts on onnxruntime-node: each MatMulNBits variant it rewrites (implicit zero point 8,
 * packed zero points with an odd block count, K not a multiple of the block, a bias, a batched 3-D input)
 * gives MatMulNBits' own output within float32 rounding, and both equal a float64 dequantise-and-multiply
 * oracle; the rewritten graph has no MatMulNBits left. What it must not rewrite (g_idx, over budget, no
 * MatMulNBits at all) comes back unchanged, with the reason.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { expandMatMulNBits } from '../../core/onnx/expandQ4';
import { attr, GraphBuilder } from '../../core/onnx/graphBuilder';
import { encodeModel, type TensorData } from '../../core/onnx/onnxProto';
import { readFields, WIRE_LENGTH_DELIMITED } from '../../core/onnx/protobuf';
import { createSeededUniform } from '../../core/onnx/weights';

interface Case {
  k: number;
  n: number;
  blockSize: number;
  zeroPoints: boolean;
  bias: boolean;
  rows: number[];
}

interface Built {
  bytes: Uint8Array;
  x: Float32Array;
  /** y = x · Ŵᵀ (+ b) in float64, Ŵ = (code − zero) · scale. */
  oracle: Float64Array;
}

/** A graph with one MatMulNBits (random codes, scales, zero points) and its float64 oracle. */
function build(c: Case, extraInputs: TensorData[] = []): Built {
  const rng = createSeededUniform(c.k * 31 + c.n);
  const nBlocks = Math.ceil(c.k / c.blockSize);
  const blob = c.blockSize / 2;
  const codes = Uint8Array.from({ length: c.n * nBlocks * c.blockSize }, () => Math.floor(rng() * 16));
  const packed = new Uint8Array(c.n * nBlocks * blob);
  codes.forEach((q, i) => (packed[i >> 1] = (packed[i >> 1] ?? 0) | (i % 2 === 0 ? q : q << 4)));
  const scales = Float32Array.from({ length: c.n * nBlocks }, () => 0.01 + rng() * 0.1);
  const zeros = Uint8Array.from({ length: c.n * nBlocks }, () => (c.zeroPoints ? Math.floor(rng() * 16) : 8));
  const zpPerRow = Math.ceil(nBlocks / 2);
  const zpPacked = new Uint8Array(c.n * zpPerRow);
  for (let r = 0; r < c.n; r++) for (let b = 0; b < nBlocks; b++) zpPacked[r * zpPerRow + (b >> 1)] = (zpPacked[r * zpPerRow + (b >> 1)] ?? 0) | (b % 2 === 0 ? (zeros[r * nBlocks + b] ?? 0) : (zeros[r * nBlocks + b] ?? 0) << 4);
  const bias = Float32Array.from({ length: c.n }, () => rng() - 0.5);
  const m = c.rows.reduce((a, b) => a * b, 1);
  const x = Float32Array.from({ length: m * c.k }, () => rng() * 2 - 1);

  const g = new GraphBuilder();
  const inputs = ['x', g.initializer({ name: 'B', dims: [c.n, nBlocks, blob], data: packed }), g.initializer({ name: 'scales', dims: [c.n * nBlocks], data: scales })];
  inputs.push(c.zeroPoints ? g.initializer({ name: 'zp', dims: [c.n * zpPerRow], data: zpPacked }) : '');
  for (const t of extraInputs) inputs.push(g.initializer(t));
  if (c.bias) {
    while (inputs.length < 5) inputs.push('');
    inputs.push(g.initializer({ name: 'bias', dims: [c.n], data: bias }));
  }
  while (inputs.at(-1) === '') inputs.pop();
  g.node('MatMulNBits', inputs, { outputs: ['y'], domain: 'com.microsoft', attributes: { K: attr.int(c.k), N: attr.int(c.n), bits: attr.int(4), block_size: attr.int(c.blockSize) } });
  const bytes = encodeModel({
    graph: g.build('g', [{ name: 'x', dtype: 'float32', dims: [...c.rows, c.k] }], [{ name: 'y', dtype: 'float32', dims: [...c.rows, c.n] }]),
    opsets: [{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }],
  });

  const oracle = new Float64Array(m * c.n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < c.n; j++) {
      let s = c.bias ? (bias[j] ?? 0) : 0;
      for (let kk = 0; kk < c.k; kk++) {
        const b = Math.floor(kk / c.blockSize);
        const w = ((codes[(j * nBlocks + b) * c.blockSize + (kk % c.blockSize)] ?? 0) - (zeros[j * nBlocks + b] ?? 0)) * (scales[j * nBlocks + b] ?? 0);
        s += (x[i * c.k + kk] ?? 0) * w;
      }
      oracle[i * c.n + j] = s;
    }
  }
  return { bytes, x, oracle };
}

async function run(bytes: Uint8Array, x: Float32Array, rows: number[], k: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
  try {
    const out = await session.run({ x: new ort.Tensor('float32', x, [...rows, k]) });
    return Float32Array.from(out['y']?.data as Float32Array);
  } finally {
    await session.release();
  }
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
  return Number.isNaN(m) ? Infinity : m;
};

/** How many nodes of the model's graph have op_type `op`. */
function countOps(bytes: Uint8Array, op: string): number {
  let n = 0;
  for (const m of readFields(bytes)) {
    if (m.field !== 7 || m.wireType !== WIRE_LENGTH_DELIMITED) continue;
    for (const g of readFields(m.value)) {
      if (g.field !== 1 || g.wireType !== WIRE_LENGTH_DELIMITED) continue;
      for (const f of readFields(g.value)) if (f.field === 4 && f.wireType === WIRE_LENGTH_DELIMITED && new TextDecoder().decode(f.value) === op) n++;
    }
  }
  return n;
}

describe('expandMatMulNBits on onnxruntime-node', () => {
  it.each<[string, Case]>([
    ['implicit zero point 8', { k: 64, n: 24, blockSize: 32, zeroPoints: false, bias: false, rows: [3] }],
    ['packed zero points, odd block count, K not a multiple of the block', { k: 80, n: 10, blockSize: 32, zeroPoints: true, bias: false, rows: [2] }],
    ['bias, block 16, batched 3-D input', { k: 48, n: 7, blockSize: 16, zeroPoints: true, bias: true, rows: [2, 3] }],
  ])('%s: same output as MatMulNBits, both = the float64 oracle', async (_, c) => {
    const { bytes, x, oracle } = build(c);
    const expanded = expandMatMulNBits(bytes, { maxExpandedBytes: 2 ** 20 });
    expect(expanded).toMatchObject({ expanded: 1, kept: 0, expandedBytes: c.k * c.n * 4, skipped: null });
    expect([countOps(bytes, 'MatMulNBits'), countOps(expanded.bytes, 'MatMulNBits'), countOps(expanded.bytes, 'MatMul')]).toEqual([1, 0, 1]);
    const [native, rewritten] = [await run(bytes, x, c.rows, c.k), await run(expanded.bytes, x, c.rows, c.k)];
    const scale = Math.max(...Array.from(oracle, Math.abs));
    expect(maxAbsDiff(rewritten, native) / scale).toBeLessThan(1e-5);
    expect(maxAbsDiff(rewritten, oracle) / scale).toBeLessThan(1e-5);
    expect(maxAbsDiff(native, oracle) / scale).toBeLessThan(1e-5);
  });

  it('keeps a node with g_idx, a model over the budget and a model without MatMulNBits unchanged, saying why', () => {
    const c: Case = { k: 64, n: 8, blockSize: 32, zeroPoints: false, bias: false, rows: [1] };
    const withGIdx = build(c, [{ name: 'g_idx', dims: [64], data: Int32Array.from({ length: 64 }, (_, i) => i >> 5) }]).bytes;
    const a = expandMatMulNBits(withGIdx, { maxExpandedBytes: 2 ** 20 });
    expect(a.bytes).toBe(withGIdx);
    expect(a).toMatchObject({ expanded: 0, kept: 1 });
    expect(a.skipped).toMatch(/g_idx/);

    const plain = build(c).bytes;
    const b = expandMatMulNBits(plain, { maxExpandedBytes: c.k * c.n * 4 - 1 });
    expect(b.bytes).toBe(plain);
    expect(b).toMatchObject({ expanded: 0, kept: 1, expandedBytes: 0 });
    expect(b.skipped).toMatch(/float32 weights would take 0 MiB \(limit 0 MiB\)/);

    const g = new GraphBuilder();
    g.node('Relu', ['x'], { outputs: ['y'] });
    const none = encodeModel({ graph: g.build('g', [{ name: 'x', dtype: 'float32', dims: [2] }], [{ name: 'y', dtype: 'float32', dims: [2] }]), opsets: [{ domain: '', version: 17 }] });
    expect(expandMatMulNBits(none, { maxExpandedBytes: 2 ** 20 })).toEqual({ bytes: none, expanded: 0, kept: 0, expandedBytes: 0, skipped: null });
  });
});
