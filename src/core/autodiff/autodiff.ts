/**
 * Reverse-mode differentiation over an ONNX node list (DESIGN.md §4): appends to a GraphBuilder the
 * backward nodes computing ∂loss/∂p for every tensor p in `wrt` (graph inputs), by the chain rule
 *
 *   x̄ = Σ over the nodes n reading x of VJP_n(ȳ_n)          (vjpRules.ts), seeded with loss̄ = 1,
 *
 * visiting the forward nodes in reverse topological order. Only nodes on a path from a `wrt` tensor to
 * the loss are differentiated; everything else (masks, RoPE tables, shape arithmetic) is left alone.
 * Shapes come from shapeInference.ts; where a broadcast cannot be decided statically the reduction
 * axes are computed in-graph (a few shape ops, no extra float work).
 *
 * Not for: higher-order gradients or integer inputs. Any op on the path without a rule throws
 * UnsupportedGradientError naming it.
 */
import { attr, type GraphBuilder } from '../onnx/graphBuilder';
import type { NodeData } from '../onnx/onnxProto';
import { dimEq, isNumeric, type Shape, type ShapeInfo } from './shapeInference';
import { NON_DIFFERENTIABLE_OPS, UnsupportedGradientError, VJP_RULES, type VjpContext } from './vjpRules';

export interface BackwardOptions {
  /** The scalar tensor to differentiate. */
  loss: string;
  /** Tensors (graph inputs) to differentiate with respect to. */
  wrt: readonly string[];
  info: ShapeInfo;
  /** Output name of each gradient, e.g. p → `grad.${p}`. */
  gradName: (p: string) => string;
}

/** Appends the backward pass of `forward` to `g`; returns the gradient tensor name of every `wrt` tensor. */
export function appendBackward(g: GraphBuilder, forward: readonly NodeData[], o: BackwardOptions): Map<string, string> {
  // 1. which tensors depend on a wrt tensor (forward), and which of those the loss depends on (backward)
  const active = new Set(o.wrt);
  for (const n of forward) {
    if (NON_DIFFERENTIABLE_OPS.has(n.opType) || !n.inputs.some((x) => active.has(x))) continue;
    for (const y of n.outputs) active.add(y);
  }
  const needed = new Set([o.loss]);
  const onPath: NodeData[] = [];
  for (let i = forward.length - 1; i >= 0; i--) {
    const n = forward[i] as NodeData;
    if (!n.outputs.some((y) => needed.has(y)) || !n.outputs.some((y) => active.has(y))) continue;
    onPath.push(n);
    for (const x of n.inputs) if (active.has(x)) needed.add(x);
  }
  if (!active.has(o.loss)) throw new UnsupportedGradientError(`The loss ${o.loss} does not depend on any trainable tensor.`);

  // 2. the chain rule, last node first
  const ctx = createContext(g, o.info);
  const contributions = new Map<string, string[]>();
  const add = (x: string, grad: string): void => {
    const list = contributions.get(x);
    if (list === undefined) contributions.set(x, [grad]);
    else list.push(grad);
  };
  const total = (x: string): string | undefined => {
    const list = contributions.get(x);
    if (list === undefined || list.length === 0) return undefined;
    if (list.length === 1) return list[0];
    const sum = g.node('Sum', list);
    contributions.set(x, [sum]);
    return sum;
  };
  add(o.loss, g.constF32([1]));
  const outerScope = g.scope;
  for (const n of onPath) {
    const rule = VJP_RULES[n.opType];
    if (rule === undefined || (n.domain ?? '') !== '') {
      throw new UnsupportedGradientError(`No gradient rule for ${n.domain ? n.domain + '.' : ''}${n.opType} (node ${n.name ?? '?'}); train the standard fp32 graph, not q4 or fused ops.`);
    }
    const dys = n.outputs.map(total);
    if (dys.every((d) => d === undefined)) continue;
    g.scope = `grad/${n.name ?? n.opType}`;
    const need = n.inputs.map((x) => active.has(x) && needed.has(x));
    rule(ctx, n, dys, need).forEach((grad, i) => {
      if (grad !== undefined && need[i] === true) add(n.inputs[i] ?? '', grad);
    });
  }

  // 3. one named output per wrt tensor (zeros when the loss does not reach it)
  g.scope = 'grad';
  const names = new Map<string, string>();
  for (const p of o.wrt) {
    const grad = total(p) ?? ctx.zerosLike(p);
    names.set(p, g.node('Identity', [grad], { outputs: [o.gradName(p)] }));
  }
  g.scope = outerScope;
  return names;
}

function createContext(g: GraphBuilder, info: ShapeInfo): VjpContext {
  const shapes = new Map<string, string>();
  const shapeOf = (x: string): string => {
    let s = shapes.get(x);
    if (s === undefined) {
      s = g.node('Shape', [x]);
      shapes.set(x, s);
    }
    return s;
  };
  return {
    g,
    info,
    shapeOf,
    zerosLike: (x) => g.node('ConstantOfShape', [shapeOf(x)]),
    unbroadcast: (grad, input, gradShape) => unbroadcast(g, info, shapeOf, grad, input, typeof gradShape === 'string' ? info.shape(gradShape) : gradShape),
  };
}

/**
 * Σ of `grad` (static shape `ys`) over the axes along which `input` was broadcast:
 * the leading axes `input` lacks, and the axes where it has size 1 and the gradient does not.
 */
function unbroadcast(g: GraphBuilder, info: ShapeInfo, shapeOf: (x: string) => string, grad: string, input: string, ys: Shape | undefined): string {
  const xs = info.shape(input);
  if (xs !== undefined && ys !== undefined && ys.length >= xs.length) {
    const lead = ys.length - xs.length;
    const axes: number[] = [];
    let decided = true;
    for (let i = 0; i < ys.length; i++) {
      if (i < lead) {
        axes.push(i);
        continue;
      }
      const xd = xs[i - lead] ?? null;
      const yd = ys[i] ?? null;
      if (dimEq(xd, yd)) continue;
      if (isNumeric(xd) && xd.k === 1) axes.push(i);
      else decided = false; // e.g. an unknown dim: decide in-graph
    }
    if (decided) {
      if (axes.length === 0) return grad;
      const summed = g.node('ReduceSum', [grad, g.constI64(axes)], { attributes: { keepdims: attr.int(1) } });
      return lead === 0 ? summed : g.node('Squeeze', [summed, g.constI64(axes.slice(0, lead))]);
    }
  }
  // in-graph: pad shape(x) with leading 1s to the gradient's rank, sum every axis where it is 1
  const xShape = shapeOf(input);
  const gShape = g.node('Shape', [grad]);
  const missing = g.node('Sub', [g.node('Shape', [gShape]), g.node('Shape', [xShape])]); // [1]
  const ones = g.node('ConstantOfShape', [missing], { attributes: { value: { kind: 'tensor', value: { name: 'one', dims: [1], data: BigInt64Array.of(1n) } } } });
  const padded = g.node('Concat', [ones, xShape], { attributes: { axis: attr.int(0) } });
  const axes = g.node('Reshape', [g.node('NonZero', [g.node('Equal', [padded, g.constI64([1])])]), g.constI64([-1])]);
  const summed = g.node('ReduceSum', [grad, axes], { attributes: { keepdims: attr.int(1), noop_with_empty_axes: attr.int(1) } });
  return g.node('Reshape', [summed, xShape]);
}
