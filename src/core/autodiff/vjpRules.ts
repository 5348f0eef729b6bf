/**
 * Vector–Jacobian products of the ONNX ops the decoder and loss graphs use, written with standard ops
 * (opset 17). Each rule takes the node and the gradients of its outputs (ȳ, undefined = zero) and returns
 * the gradients of the inputs that need one (x̄ = ȳ · ∂y/∂x), always in the input's own shape: where
 * numpy broadcasting repeated an operand, its gradient is summed back (VjpContext.unbroadcast).
 *
 *   Add      ā = ȳ, b̄ = ȳ                    Sub      ā = ȳ, b̄ = −ȳ
 *   Mul      ā = ȳ·b, b̄ = ȳ·a                Div      ā = ȳ/b, b̄ = −ȳ·y/b
 *   Pow      ā = ȳ·e·a^(e−1)  (e constant)    Neg      x̄ = −ȳ
 *   Sqrt     x̄ = ȳ / (2y)                     Exp      x̄ = ȳ·y         Log  x̄ = ȳ / x
 *   Sigmoid  x̄ = ȳ·y·(1 − y)                  Softmax  x̄ = y ⊙ (ȳ − Σ_axis ȳ ⊙ y)
 *   LogSoftmax x̄ = ȳ − exp(y) · Σ_axis ȳ
 *   ReduceSum/Mean  x̄ = expand(ȳ) (/ n)      MatMul   ā = ȳ·bᵀ, b̄ = aᵀ·ȳ   (batch axes summed back)
 *   Gemm (A·Bᵀ)  Ā = Ȳ·B, B̄ = Ȳᵀ·A            Gather(axis 0)  D̄ = scatter-add of ȳ rows at the indices
 *   Reshape/Unsqueeze/Squeeze/Identity/Cast   x̄ = reshape(ȳ, shape(x))      Transpose  inverse perm
 *   Concat   slices of ȳ                      Split    concat of ȳᵢ (zeros for unused outputs)
 *   Where    ā = where(c, ȳ, 0), b̄ = where(c, 0, ȳ)
 *   Max/Min  the selected operand gets ȳ (ties go to the first)     Clip  x̄ = ȳ where lo ≤ x ≤ hi
 *   Expand   x̄ = ȳ summed back to x's shape
 *
 * Not for: gradients with respect to integer inputs, exponents, clip bounds or Where conditions (none
 * of those are trainable here); any other op raises UnsupportedGradientError naming it.
 */
import { attr, type GraphBuilder } from '../onnx/graphBuilder';
import type { NodeData, AttributeValue } from '../onnx/onnxProto';
import { isNumeric, type Shape, type ShapeInfo } from './shapeInference';

export class UnsupportedGradientError extends Error {
  override name = 'UnsupportedGradientError';
}

export interface VjpContext {
  g: GraphBuilder;
  info: ShapeInfo;
  /** Sum `grad` back to the shape of `input`; `gradShape` is grad's static shape (a node output's name, or dims). */
  unbroadcast(grad: string, input: string, gradShape: string | Shape | undefined): string;
  /** Shape(x), one node per tensor. */
  shapeOf(x: string): string;
  /** Zeros shaped like x. */
  zerosLike(x: string): string;
}

type Grads = (string | undefined)[];
export type VjpRule = (c: VjpContext, n: NodeData, dys: readonly (string | undefined)[], need: readonly boolean[]) => Grads;

const intAttr = (a: AttributeValue | undefined, fallback: number): number => (a?.kind === 'int' ? a.value : fallback);
const floatAttr = (a: AttributeValue | undefined, fallback: number): number => (a?.kind === 'float' ? a.value : fallback);
const intsAttr = (a: AttributeValue | undefined): readonly number[] | undefined => (a?.kind === 'ints' ? a.value : undefined);
const inp = (n: NodeData, i: number): string => n.inputs[i] ?? '';
const out = (n: NodeData, i = 0): string => n.outputs[i] ?? '';

function rankOf(c: VjpContext, x: string, op: string): number {
  const s = c.info.shape(x);
  if (s === undefined) throw new UnsupportedGradientError(`${op}: the rank of ${x} is unknown; the gradient needs it (extend shapeInference.ts).`);
  return s.length;
}

/** Only the first output's gradient matters for single-output ops. */
const unary = (f: (c: VjpContext, n: NodeData, dy: string) => string): VjpRule => (c, n, dys) => {
  const dy = dys[0];
  return [dy === undefined ? undefined : f(c, n, dy)];
};

const binary = (fa: ((c: VjpContext, n: NodeData, dy: string) => string) | null, fb: ((c: VjpContext, n: NodeData, dy: string) => string) | null): VjpRule => (c, n, dys, need) => {
  const dy = dys[0];
  if (dy === undefined) return [];
  const grads: Grads = [];
  if (need[0] === true) {
    if (fa === null) throw new UnsupportedGradientError(`${n.opType}: no gradient for its first input ${inp(n, 0)}.`);
    grads[0] = c.unbroadcast(fa(c, n, dy), inp(n, 0), out(n));
  }
  if (need[1] === true) {
    if (fb === null) throw new UnsupportedGradientError(`${n.opType}: no gradient for its second input ${inp(n, 1)} (e.g. a trainable exponent).`);
    grads[1] = c.unbroadcast(fb(c, n, dy), inp(n, 1), out(n));
  }
  return grads;
};

const reshapeBack = unary((c, n, dy) => c.g.node('Reshape', [dy, c.shapeOf(inp(n, 0))]));

/** ȳ broadcast back over reduced axes (keepdims = 0 reinserts them first). */
function expandReduced(c: VjpContext, n: NodeData, dy: string, axes: readonly number[] | undefined): string {
  const keep = intAttr(n.attributes?.keepdims, 1) === 1;
  const y = keep || axes === undefined ? dy : c.g.node('Unsqueeze', [dy, c.g.constI64(axes)]);
  return c.g.node('Expand', [y, c.shapeOf(inp(n, 0))]);
}

function reduceAxes(c: VjpContext, n: NodeData): readonly number[] | undefined {
  const fromAttr = intsAttr(n.attributes?.axes);
  if (fromAttr !== undefined) return fromAttr;
  const axesInput = n.inputs[1];
  if (axesInput === undefined || axesInput === '') return undefined;
  const axes = c.info.ints(axesInput);
  if (axes === undefined) throw new UnsupportedGradientError(`${n.opType}: axes ${axesInput} are not constant.`);
  return axes;
}

/** Number of elements reduced into each output element, as a float32 tensor name (static when known). */
function reducedCount(c: VjpContext, n: NodeData): string {
  const x = c.info.shape(inp(n, 0));
  const y = c.info.shape(out(n));
  const count = (s: typeof x): number | undefined => (s !== undefined && s.every(isNumeric) ? s.reduce((p, d) => p * (d?.k ?? 1), 1) : undefined);
  const axes = reduceAxes(c, n);
  if (x !== undefined && axes !== undefined) {
    const reduced = axes.map((a) => x[a < 0 ? a + x.length : a] ?? null);
    if (reduced.every(isNumeric)) return c.g.constF32([reduced.reduce((p, d) => p * (d?.k ?? 1), 1)]);
  }
  const nx = count(x);
  const ny = count(y);
  if (nx !== undefined && ny !== undefined) return c.g.constF32([nx / ny]);
  const size = (t: string): string => c.g.node('Cast', [c.g.node('Size', [t])], { attributes: { to: attr.int(1) } });
  return c.g.node('Div', [size(inp(n, 0)), size(out(n))]);
}

/** Swap the last two axes of a rank-r tensor. */
function transposeLast2(c: VjpContext, x: string, rank: number): string {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return c.g.node('Transpose', [x], { attributes: { perm: attr.ints(perm) } });
}

const matMul: VjpRule = (c, n, dys, need) => {
  const dy = dys[0];
  if (dy === undefined) return [];
  const [a, b] = [inp(n, 0), inp(n, 1)];
  const ra = rankOf(c, a, 'MatMul');
  const rb = rankOf(c, b, 'MatMul');
  if (ra < 2 || rb < 2) throw new UnsupportedGradientError(`MatMul with a 1-D operand (${a}, ${b}) has no gradient rule.`);
  const grads: Grads = [];
  // ā = ȳ·bᵀ is [batch(y)…, M, K] and b̄ = aᵀ·ȳ is [batch(y)…, K, N]: sum the batch axes back
  const batchOf = (x: string): Shape | undefined => {
    const y = c.info.shape(out(n));
    const s = c.info.shape(x);
    return y === undefined || s === undefined ? undefined : [...y.slice(0, -2), ...s.slice(-2)];
  };
  if (need[0] === true) grads[0] = c.unbroadcast(c.g.node('MatMul', [dy, transposeLast2(c, b, rb)]), a, batchOf(a));
  if (need[1] === true) {
    const bShape = c.info.shape(b);
    const k = bShape?.[rb - 2];
    const m = bShape?.[rb - 1];
    if (rb === 2 && isNumeric(k ?? null) && isNumeric(m ?? null)) {
      // a weight: fold every batch axis into the rows, b̄ = a₂ᵀ · ȳ₂ with a₂ [N, K], ȳ₂ [N, M]
      const a2 = c.g.node('Reshape', [a, c.g.constI64([-1, k?.k ?? 0])]);
      const dy2 = c.g.node('Reshape', [dy, c.g.constI64([-1, m?.k ?? 0])]);
      grads[1] = c.g.node('Gemm', [a2, dy2], { attributes: { transA: attr.int(1) } });
    } else {
      grads[1] = c.unbroadcast(c.g.node('MatMul', [transposeLast2(c, a, ra), dy]), b, batchOf(b));
    }
  }
  return grads;
};

const gemm: VjpRule = (c, n, dys, need) => {
  const dy = dys[0];
  if (dy === undefined) return [];
  const at = n.attributes ?? {};
  if (intAttr(at.transA, 0) !== 0 || floatAttr(at.alpha, 1) !== 1 || floatAttr(at.beta, 1) !== 1) {
    throw new UnsupportedGradientError('Gemm: only transA = 0, alpha = beta = 1 have a gradient rule.');
  }
  const transB = intAttr(at.transB, 0) === 1;
  const [a, b] = [inp(n, 0), inp(n, 1)];
  const grads: Grads = [];
  // Y = A·B (or A·Bᵀ): Ā = Ȳ·Bᵀ (or Ȳ·B); B̄ = Aᵀ·Ȳ (or Ȳᵀ·A)
  if (need[0] === true) grads[0] = c.g.node('Gemm', [dy, b], { attributes: { transB: attr.int(transB ? 0 : 1) } });
  if (need[1] === true) grads[1] = transB ? c.g.node('Gemm', [dy, a], { attributes: { transA: attr.int(1) } }) : c.g.node('Gemm', [a, dy], { attributes: { transA: attr.int(1) } });
  if (need[2] === true) grads[2] = c.unbroadcast(dy, inp(n, 2), out(n));
  return grads;
};

const concat: VjpRule = (c, n, dys, need) => {
  const dy = dys[0];
  if (dy === undefined) return [];
  const axis = intAttr(n.attributes?.axis, 0);
  const axisConst = c.g.constI64([axis]);
  const zero = c.g.constI64([0]);
  const lengthOf = (x: string): string => c.g.node('Gather', [c.shapeOf(x), axisConst], { attributes: { axis: attr.int(0) } }); // [1]
  const grads: Grads = [];
  let start = zero;
  n.inputs.forEach((x, i) => {
    const end = c.g.node('Add', [start, lengthOf(x)]);
    if (need[i] === true) grads[i] = c.g.node('Slice', [dy, start, end, axisConst]);
    start = end;
  });
  return grads;
};

const split: VjpRule = (c, n, dys) => {
  if (dys.every((d) => d === undefined)) return [];
  const pieces = n.outputs.map((o, i) => dys[i] ?? c.zerosLike(o));
  return [c.g.node('Concat', pieces, { attributes: { axis: attr.int(intAttr(n.attributes?.axis, 0)) } })];
};

const gather: VjpRule = (c, n, dys, need) => {
  const dy = dys[0];
  if (dy === undefined || need[0] !== true) return [];
  if (intAttr(n.attributes?.axis, 0) !== 0) throw new UnsupportedGradientError('Gather: only axis 0 (an embedding lookup) has a gradient rule.');
  // D̄[i] = Σ over positions p with idx[p] = i of ȳ[p]  (ScatterND with reduction 'add' handles repeats)
  const idx = c.g.node('Unsqueeze', [inp(n, 1), c.g.constI64([-1])]); // [..., 1]
  return [c.g.node('ScatterND', [c.zerosLike(inp(n, 0)), idx, dy], { attributes: { reduction: attr.string('add') } })];
};

const where: VjpRule = (c, n, dys, need) => {
  const dy = dys[0];
  if (dy === undefined) return [];
  const zero = c.g.constF32([0]);
  const grads: Grads = [];
  if (need[1] === true) grads[1] = c.unbroadcast(c.g.node('Where', [inp(n, 0), dy, zero]), inp(n, 1), out(n));
  if (need[2] === true) grads[2] = c.unbroadcast(c.g.node('Where', [inp(n, 0), zero, dy]), inp(n, 2), out(n));
  return grads;
};

const select = (cmp: 'GreaterOrEqual' | 'LessOrEqual'): VjpRule => (c, n, dys, need) => {
  const dy = dys[0];
  if (dy === undefined) return [];
  if (n.inputs.length !== 2) throw new UnsupportedGradientError(`${n.opType} with ${n.inputs.length} inputs has no gradient rule (use two).`);
  const first = c.g.node(cmp, [inp(n, 0), inp(n, 1)]);
  const zero = c.g.constF32([0]);
  const grads: Grads = [];
  if (need[0] === true) grads[0] = c.unbroadcast(c.g.node('Where', [first, dy, zero]), inp(n, 0), out(n));
  if (need[1] === true) grads[1] = c.unbroadcast(c.g.node('Where', [first, zero, dy]), inp(n, 1), out(n));
  return grads;
};

const clip: VjpRule = (c, n, dys, need) => {
  const dy = dys[0];
  if (dy === undefined || need[0] !== true) return [];
  const x = inp(n, 0);
  const conds: string[] = [];
  if ((n.inputs[1] ?? '') !== '') conds.push(c.g.node('GreaterOrEqual', [x, inp(n, 1)]));
  if ((n.inputs[2] ?? '') !== '') conds.push(c.g.node('LessOrEqual', [x, inp(n, 2)]));
  if (conds.length === 0) return [dy];
  const inside = conds.length === 2 ? c.g.node('And', conds) : (conds[0] as string);
  return [c.g.node('Where', [inside, dy, c.g.constF32([0])])];
};

export const VJP_RULES: Readonly<Record<string, VjpRule>> = {
  Identity: unary((_c, _n, dy) => dy),
  Cast: unary((_c, n, dy) => {
    if (intAttr(n.attributes?.to, 1) !== 1) throw new UnsupportedGradientError(`Cast to type ${intAttr(n.attributes?.to, 0)} on a differentiable path.`);
    return dy;
  }),
  Neg: unary((c, _n, dy) => c.g.node('Neg', [dy])),
  Sqrt: unary((c, n, dy) => c.g.node('Div', [c.g.node('Mul', [dy, c.g.constF32([0.5])]), out(n)])),
  Exp: unary((c, n, dy) => c.g.node('Mul', [dy, out(n)])),
  Log: unary((c, n, dy) => c.g.node('Div', [dy, inp(n, 0)])),
  Sigmoid: unary((c, n, dy) => c.g.node('Mul', [dy, c.g.node('Mul', [out(n), c.g.node('Sub', [c.g.constF32([1]), out(n)])])])),
  Softmax: unary((c, n, dy) => {
    const axis = c.g.constI64([intAttr(n.attributes?.axis, -1)]);
    const dot = c.g.node('ReduceSum', [c.g.node('Mul', [dy, out(n)]), axis], { attributes: { keepdims: attr.int(1) } });
    return c.g.node('Mul', [out(n), c.g.node('Sub', [dy, dot])]);
  }),
  LogSoftmax: unary((c, n, dy) => {
    const axis = c.g.constI64([intAttr(n.attributes?.axis, -1)]);
    const total = c.g.node('ReduceSum', [dy, axis], { attributes: { keepdims: attr.int(1) } });
    return c.g.node('Sub', [dy, c.g.node('Mul', [c.g.node('Exp', [out(n)]), total])]);
  }),
  ReduceSum: unary((c, n, dy) => {
    if (intAttr(n.attributes?.noop_with_empty_axes, 0) === 1 && reduceAxes(c, n) === undefined) return dy;
    return expandReduced(c, n, dy, reduceAxes(c, n));
  }),
  ReduceMean: unary((c, n, dy) => c.g.node('Div', [expandReduced(c, n, dy, reduceAxes(c, n)), reducedCount(c, n)])),
  Reshape: reshapeBack,
  Unsqueeze: reshapeBack,
  Squeeze: reshapeBack,
  Flatten: reshapeBack,
  Transpose: unary((c, n, dy) => {
    const rank = rankOf(c, inp(n, 0), 'Transpose');
    const perm = intsAttr(n.attributes?.perm) ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return c.g.node('Transpose', [dy], { attributes: { perm: attr.ints(inverse) } });
  }),
  Expand: unary((c, n, dy) => c.unbroadcast(dy, inp(n, 0), out(n))),
  Add: binary((_c, _n, dy) => dy, (_c, _n, dy) => dy),
  Sub: binary((_c, _n, dy) => dy, (c, _n, dy) => c.g.node('Neg', [dy])),
  Mul: binary((c, n, dy) => c.g.node('Mul', [dy, inp(n, 1)]), (c, n, dy) => c.g.node('Mul', [dy, inp(n, 0)])),
  Div: binary(
    (c, n, dy) => c.g.node('Div', [dy, inp(n, 1)]),
    (c, n, dy) => c.g.node('Neg', [c.g.node('Div', [c.g.node('Mul', [dy, out(n)]), inp(n, 1)])]),
  ),
  Pow: binary((c, n, dy) => {
    const e = inp(n, 1);
    return c.g.node('Mul', [dy, c.g.node('Mul', [e, c.g.node('Pow', [inp(n, 0), c.g.node('Sub', [e, c.g.constF32([1])])])])]);
  }, null),
  MatMul: matMul,
  Gemm: gemm,
  Concat: concat,
  Split: split,
  Gather: gather,
  Where: where,
  Max: select('GreaterOrEqual'),
  Min: select('LessOrEqual'),
  Clip: clip,
};

/** Ops whose outputs carry no gradient (integer, boolean or shape results): never differentiated through. */
export const NON_DIFFERENTIABLE_OPS: ReadonlySet<string> = new Set([
  'Shape', 'Size', 'Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'And', 'Or', 'Not', 'Range',
  'ConstantOfShape', 'NonZero', 'ArgMax', 'ArgMin',
]);

