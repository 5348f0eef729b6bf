/**
 * Static shapes of an ONNX node list with symbolic dims (`batch_size`, `sequence_length`, products of
 * them), and the values of small int64 shape tensors (Shape → Gather → Concat → Reshape chains). The
 * reverse-mode pass (autodiff.ts) needs them for three things: ranks (MatMul's transposes), which axes
 * an operand was broadcast along (their gradient is summed back), and reduced element counts.
 *
 * A dim is a monomial k · s₁ · s₂ …  (k a positive integer, sᵢ symbol names, sorted), or null when unknown.
 * Unknown is always safe: the gradient code then falls back to computing the shape in-graph.
 * Not for: validating a model (onnxruntime does that) or ops outside the decoder/loss vocabulary (their
 * outputs are simply unknown).
 */
import type { AttributeValue, NodeData, TensorData, ValueInfo } from '../onnx/onnxProto';

export interface Dim {
  readonly k: number;
  readonly s: readonly string[];
}
export type MaybeDim = Dim | null;
/** Rank known; each dim known or null. */
export type Shape = readonly MaybeDim[];

export const dimOf = (d: number | string): Dim => (typeof d === 'number' ? { k: d, s: [] } : { k: 1, s: [d] });
export const isNumeric = (d: MaybeDim): d is Dim => d !== null && d.s.length === 0;
export const dimEq = (a: MaybeDim, b: MaybeDim): boolean => a !== null && b !== null && a.k === b.k && a.s.length === b.s.length && a.s.every((x, i) => x === b.s[i]);
const isOne = (d: MaybeDim): boolean => isNumeric(d) && d.k === 1;

export function dimMul(a: MaybeDim, b: MaybeDim): MaybeDim {
  if (a === null || b === null) return null;
  return { k: a.k * b.k, s: [...a.s, ...b.s].sort() };
}

/** a / b when b divides a exactly (as monomials), else null. */
export function dimDiv(a: MaybeDim, b: MaybeDim): MaybeDim {
  if (a === null || b === null || b.k === 0 || a.k % b.k !== 0) return null;
  const rest = [...a.s];
  for (const x of b.s) {
    const at = rest.indexOf(x);
    if (at < 0) return null;
    rest.splice(at, 1);
  }
  return { k: a.k / b.k, s: rest };
}

function dimAdd(a: MaybeDim, b: MaybeDim): MaybeDim {
  if (a === null || b === null) return null;
  if (isNumeric(a) && a.k === 0) return b;
  if (isNumeric(b) && b.k === 0) return a;
  if (isNumeric(a) && isNumeric(b)) return { k: a.k + b.k, s: [] };
  return null;
}

function dimSub(a: MaybeDim, b: MaybeDim): MaybeDim {
  if (a === null || b === null) return null;
  if (dimEq(a, b)) return { k: 0, s: [] };
  if (isNumeric(b) && b.k === 0) return a;
  if (isNumeric(a) && isNumeric(b)) return { k: a.k - b.k, s: [] };
  return null;
}

/** numpy broadcasting; a dim pair that is neither equal nor has a 1 gives null. */
export function broadcastShapes(shapes: readonly Shape[]): Shape {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: MaybeDim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: MaybeDim = dimOf(1);
    for (const s of shapes) {
      const e = s[s.length - rank + i];
      if (e === undefined || isOne(e)) continue; // missing leading axis or 1: broadcasts
      if (isOne(d)) d = e;
      else if (!dimEq(d, e)) d = null;
    }
    out.push(d);
  }
  return out;
}

/** A small int64 tensor's values (shape vectors, axes, scalars), each a dim or unknown. */
export interface ShapeValue {
  values: readonly MaybeDim[];
  scalar: boolean;
}

export interface ShapeInfo {
  /** Shape of a tensor; undefined when even the rank is unknown. */
  shape(name: string): Shape | undefined;
  /** Static int64 values of a tensor, when known. */
  value(name: string): ShapeValue | undefined;
  /** Numeric values (all dims numeric), when known. */
  ints(name: string): number[] | undefined;
}

const intsAttr = (a: AttributeValue | undefined): readonly number[] | undefined => (a?.kind === 'ints' ? a.value : undefined);
const intAttr = (a: AttributeValue | undefined, fallback: number): number => (a?.kind === 'int' ? a.value : fallback);
const norm = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

/** Infer shapes and small values over `nodes` (topologically ordered). */
export function inferShapes(nodes: readonly NodeData[], inputs: readonly ValueInfo[], initializers: readonly TensorData[]): ShapeInfo {
  const shapes = new Map<string, Shape>();
  const values = new Map<string, ShapeValue>();
  for (const v of inputs) shapes.set(v.name, v.dims.map(dimOf));
  for (const t of initializers) {
    shapes.set(t.name, t.dims.map(dimOf));
    if (t.data instanceof BigInt64Array && t.data.length <= 16) values.set(t.name, { values: Array.from(t.data, (x) => dimOf(Number(x))), scalar: t.dims.length === 0 });
  }
  const info: ShapeInfo = {
    shape: (n) => shapes.get(n),
    value: (n) => values.get(n),
    ints: (n) => {
      const v = values.get(n);
      if (v === undefined || !v.values.every(isNumeric)) return undefined;
      return v.values.map((d) => (d as Dim).k);
    },
  };
  for (const node of nodes) inferNode(node, info, shapes, values);
  return info;
}

function inferNode(node: NodeData, info: ShapeInfo, shapes: Map<string, Shape>, values: Map<string, ShapeValue>): void {
  const inShape = (i: number): Shape | undefined => info.shape(node.inputs[i] ?? '');
  const out = node.outputs[0] ?? '';
  const set = (s: Shape | undefined): void => {
    if (s !== undefined) shapes.set(out, s);
  };
  const setValue = (v: ShapeValue | undefined): void => {
    if (v !== undefined) values.set(out, v);
  };
  const a = node.attributes ?? {};
  const x = inShape(0);
  switch (node.opType) {
    case 'Identity':
    case 'Neg':
    case 'Sqrt':
    case 'Sigmoid':
    case 'Exp':
    case 'Log':
    case 'Cast':
    case 'Softmax':
    case 'LogSoftmax':
    case 'Not':
    case 'Clip':
    case 'ScatterND': {
      set(x);
      if (node.opType === 'Cast' || node.opType === 'Identity') setValue(info.value(node.inputs[0] ?? ''));
      return;
    }
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div':
    case 'Pow':
    case 'Equal':
    case 'Less':
    case 'LessOrEqual':
    case 'Greater':
    case 'GreaterOrEqual':
    case 'And':
    case 'Or':
    case 'Max':
    case 'Min':
    case 'Where':
    case 'Sum': {
      const all = node.inputs.map((n) => info.shape(n));
      if (all.every((s): s is Shape => s !== undefined)) set(broadcastShapes(all));
      setValue(elementwiseValue(node.opType, info.value(node.inputs[0] ?? ''), info.value(node.inputs[1] ?? '')));
      return;
    }
    case 'Gather': {
      const idx = inShape(1);
      const axis = intAttr(a.axis, 0);
      if (x !== undefined && idx !== undefined) {
        const ax = norm(axis, x.length);
        set([...x.slice(0, ax), ...idx, ...x.slice(ax + 1)]);
      }
      const data = info.value(node.inputs[0] ?? '');
      const at = info.ints(node.inputs[1] ?? '');
      const idxValue = info.value(node.inputs[1] ?? '');
      if (data !== undefined && at !== undefined && idxValue !== undefined) {
        setValue({ values: at.map((i) => data.values[norm(i, data.values.length)] ?? null), scalar: idxValue.scalar });
      }
      return;
    }
    case 'MatMul': {
      const y = inShape(1);
      if (x === undefined || y === undefined || x.length < 2 || y.length < 2) return;
      const batch = broadcastShapes([x.slice(0, -2), y.slice(0, -2)]);
      set([...batch, x[x.length - 2] ?? null, y[y.length - 1] ?? null]);
      return;
    }
    case 'Gemm': {
      const y = inShape(1);
      if (x === undefined || y === undefined) return;
      const m = intAttr(a.transA, 0) === 1 ? x[1] : x[0];
      const n = intAttr(a.transB, 0) === 1 ? y[0] : y[1];
      set([m ?? null, n ?? null]);
      return;
    }
    case 'Reshape':
      set(reshapeShape(x, info.value(node.inputs[1] ?? '')));
      setValue(info.value(node.inputs[0] ?? ''));
      return;
    case 'Transpose': {
      if (x === undefined) return;
      const perm = intsAttr(a.perm) ?? x.map((_, i) => x.length - 1 - i);
      set(perm.map((p) => x[p] ?? null));
      return;
    }
    case 'Unsqueeze': {
      const axes = info.ints(node.inputs[1] ?? '');
      if (x === undefined || axes === undefined) return;
      const rank = x.length + axes.length;
      const ax = new Set(axes.map((v) => norm(v, rank)));
      const s: MaybeDim[] = [];
      let k = 0;
      for (let i = 0; i < rank; i++) s.push(ax.has(i) ? dimOf(1) : (x[k++] ?? null));
      set(s);
      const v = info.value(node.inputs[0] ?? '');
      if (v !== undefined && v.scalar) setValue({ values: v.values, scalar: false });
      return;
    }
    case 'Squeeze': {
      const axes = node.inputs[1] === undefined ? undefined : info.ints(node.inputs[1]);
      if (x === undefined || axes === undefined) return;
      const ax = new Set(axes.map((v) => norm(v, x.length)));
      set(x.filter((_, i) => !ax.has(i)));
      return;
    }
    case 'Concat': {
      const all = node.inputs.map((n) => info.shape(n));
      const axis = intAttr(a.axis, 0);
      if (all.every((s): s is Shape => s !== undefined) && all.length > 0) {
        const first = all[0] as Shape;
        const ax = norm(axis, first.length);
        set(first.map((d, i) => (i === ax ? all.reduce<MaybeDim>((acc, s) => dimAdd(acc, s[i] ?? null), dimOf(0)) : d)));
      }
      const vals = node.inputs.map((n) => info.value(n));
      if (vals.every((v): v is ShapeValue => v !== undefined)) setValue({ values: vals.flatMap((v) => v.values), scalar: false });
      return;
    }
    case 'Split': {
      const sizes = node.inputs[1] === undefined ? undefined : info.ints(node.inputs[1]);
      if (x === undefined || sizes === undefined) return;
      const ax = norm(intAttr(a.axis, 0), x.length);
      node.outputs.forEach((o, i) => shapes.set(o, x.map((d, j) => (j === ax ? dimOf(sizes[i] ?? 0) : d))));
      return;
    }
    case 'Slice':
      inferSlice(node, info, set, setValue);
      return;
    case 'Pad': {
      const pads = info.ints(node.inputs[1] ?? '');
      if (x === undefined || pads === undefined) return;
      set(x.map((d, i) => dimAdd(dimAdd(d, dimOf(pads[i] ?? 0)), dimOf(pads[i + x.length] ?? 0))));
      return;
    }
    case 'ReduceMean':
    case 'ReduceSum':
    case 'ReduceMax': {
      if (x === undefined) return;
      const axes = intsAttr(a.axes) ?? (node.inputs[1] === undefined || node.inputs[1] === '' ? undefined : info.ints(node.inputs[1]));
      const keep = intAttr(a.keepdims, 1) === 1;
      const ax = new Set((axes ?? x.map((_, i) => i)).map((v) => norm(v, x.length)));
      set(keep ? x.map((d, i) => (ax.has(i) ? dimOf(1) : d)) : x.filter((_, i) => !ax.has(i)));
      return;
    }
    case 'Shape':
      if (x === undefined) return;
      set([dimOf(x.length)]);
      setValue({ values: x, scalar: false });
      return;
    case 'Size':
      set([]);
      if (x !== undefined) setValue({ values: [x.reduce<MaybeDim>((p, d) => dimMul(p, d), dimOf(1))], scalar: true });
      return;
    case 'ConstantOfShape':
    case 'Expand': {
      const v = info.value(node.inputs[node.opType === 'Expand' ? 1 : 0] ?? '');
      if (v === undefined) return;
      set(node.opType === 'Expand' && x !== undefined ? broadcastShapes([x, v.values]) : v.values);
      return;
    }
    case 'Range': {
      const start = info.value(node.inputs[0] ?? '');
      const limit = info.value(node.inputs[1] ?? '');
      const delta = info.ints(node.inputs[2] ?? '');
      const zero = start !== undefined && isNumeric(start.values[0] ?? null) && start.values[0]?.k === 0;
      set([zero && delta?.[0] === 1 ? (limit?.values[0] ?? null) : null]);
      return;
    }
    default:
      return; // unknown op: its outputs stay unknown (callers fall back to in-graph shapes)
  }
}

function elementwiseValue(op: string, a: ShapeValue | undefined, b: ShapeValue | undefined): ShapeValue | undefined {
  if (a === undefined || b === undefined || (op !== 'Add' && op !== 'Sub' && op !== 'Mul')) return undefined;
  const n = Math.max(a.values.length, b.values.length);
  const f = op === 'Add' ? dimAdd : op === 'Sub' ? dimSub : dimMul;
  const at = (v: ShapeValue, i: number): MaybeDim => (v.values.length === 1 ? (v.values[0] ?? null) : (v.values[i] ?? null));
  return { values: Array.from({ length: n }, (_, i) => f(at(a, i), at(b, i))), scalar: a.scalar && b.scalar };
}

/** Reshape with ONNX semantics: 0 copies the input dim (allowzero = 0), −1 takes the remaining product. */
function reshapeShape(x: Shape | undefined, target: ShapeValue | undefined): Shape | undefined {
  if (target === undefined) return undefined;
  const out: MaybeDim[] = target.values.map((d, i) => (isNumeric(d) && d.k === 0 ? (x?.[i] ?? null) : d));
  const inferAt = target.values.findIndex((d) => isNumeric(d) && d.k === -1);
  if (inferAt < 0) return out;
  let total: MaybeDim = x === undefined ? null : x.reduce<MaybeDim>((p, d) => dimMul(p, d), dimOf(1));
  out.forEach((d, i) => {
    if (i !== inferAt) total = dimDiv(total, d);
  });
  out[inferAt] = total;
  return out;
}

function inferSlice(node: NodeData, info: ShapeInfo, set: (s: Shape | undefined) => void, setValue: (v: ShapeValue | undefined) => void): void {
  const x = info.shape(node.inputs[0] ?? '');
  const starts = info.ints(node.inputs[1] ?? '');
  const ends = info.ints(node.inputs[2] ?? '');
  if (x === undefined || starts === undefined || ends === undefined) return;
  const axes = node.inputs[3] === undefined ? starts.map((_, i) => i) : info.ints(node.inputs[3]);
  const steps = node.inputs[4] === undefined ? undefined : info.ints(node.inputs[4]);
  if (axes === undefined || (steps !== undefined && steps.some((s) => s !== 1))) {
    set(x.map(() => null));
    return;
  }
  const out: MaybeDim[] = [...x];
  axes.forEach((axis, i) => {
    const ax = norm(axis, x.length);
    out[ax] = sliceDim(x[ax] ?? null, starts[i] ?? 0, ends[i] ?? 0);
  });
  set(out);
  const v = info.value(node.inputs[0] ?? '');
  if (v !== undefined && !v.scalar && axes.length === 1 && norm(axes[0] ?? 0, 1) === 0) {
    const n = v.values.length;
    const clamp = (p: number): number => Math.min(Math.max(p < 0 ? p + n : p, 0), n);
    setValue({ values: v.values.slice(clamp(starts[0] ?? 0), clamp(ends[0] ?? 0)), scalar: false });
  }
}

/** Length of [start, end) on a dim; symbolic dims only for the identity slice and its one-off trims. */
function sliceDim(d: MaybeDim, start: number, end: number): MaybeDim {
  if (isNumeric(d)) {
    const clamp = (p: number): number => Math.min(Math.max(p < 0 ? p + d.k : p, 0), d.k);
    return dimOf(Math.max(0, clamp(end) - clamp(start)));
  }
  if (d === null) return null;
  return start === 0 && end >= 2 ** 31 ? d : null; // the whole axis; S − k is not a monomial
}
