/**
 * Reverse-mode autodiff (core/autodiff/autodiff.ts) when shape inference knows nothing: broadcast operands'
 * gradients are summed back in-graph (NonZero/ReduceSum), and onnxruntime-node's result equals the
 * analytic gradient.
 */
import { describe, expect, it } from 'vitest';
import { appendBackward } from '../../core/autodiff/autodiff';
import { inferShapes } from '../../core/autodiff/shapeInference';
import { gradName } from '../../core/autodiff/trainGraph';
import { GraphBuilder } from '../../core/onnx/graphBuilder';
import { encodeModel } from '../../core/onnx/onnxProto';
import { nodeRunner } from '../../testing/graphRunners';

describe('autodiff without static shapes', () => {
  it('sums broadcast gradients back in-graph (the fallback when shape inference knows nothing)', async () => {
    // L = Σ_bj (x_bj / c_j · w_j)²,  x [B, 3], c [1, 3], w [3]
    const g = new GraphBuilder();
    const y = g.node('Mul', [g.node('Div', ['x', 'c']), 'w']);
    const loss = g.node('ReduceSum', [g.node('Mul', [y, y])], { attributes: { keepdims: { kind: 'int', value: 0 } }, outputs: ['loss'] });
    const forward = [...g.nodes];
    appendBackward(g, forward, { loss, wrt: ['c', 'w'], info: inferShapes([], [], []), gradName });
    expect(g.nodes.map((n) => n.opType)).toContain('NonZero');
    const inputs = [
      { name: 'x', dtype: 'float32', dims: ['b', 3] },
      { name: 'c', dtype: 'float32', dims: [1, 3] },
      { name: 'w', dtype: 'float32', dims: [3] },
    ] as const;
    const outputs = [{ name: 'loss', dtype: 'float32', dims: [] }, { name: gradName('c'), dtype: 'float32', dims: [1, 3] }, { name: gradName('w'), dtype: 'float32', dims: [3] }] as const;
    const bytes = encodeModel({ graph: g.build('broadcast', [...inputs], [...outputs]), opsets: [{ domain: '', version: 17 }] });
    const x = [1, -2, 0.5, 3, 0.25, -1];
    const c = [2, -0.5, 1.5];
    const w = [0.3, 0.7, -1.1];
    const runner = await nodeRunner(bytes);
    try {
      const out = await runner.run([
        { name: 'x', dtype: 'float32', dims: [2, 3], data: Float32Array.from(x) },
        { name: 'c', dtype: 'float32', dims: [1, 3], data: Float32Array.from(c) },
        { name: 'w', dtype: 'float32', dims: [3], data: Float32Array.from(w) },
      ]);
      for (let j = 0; j < 3; j++) {
        let dc = 0;
        let dw = 0;
        for (let b = 0; b < 2; b++) {
          const xv = x[b * 3 + j] ?? 0;
          const yv = (xv / (c[j] ?? 1)) * (w[j] ?? 0);
          dw += (2 * yv * xv) / (c[j] ?? 1);
          dc -= (2 * yv * xv * (w[j] ?? 0)) / (c[j] ?? 1) ** 2;
        }
        expect(out[gradName('w')]?.[j]).toBeCloseTo(dw, 4);
        expect(out[gradName('c')]?.[j]).toBeCloseTo(dc, 4);
      }
    } finally {
      await runner.release();
    }
  });
});
