/**
 * onnxruntime-web's wasm build has no 4-bit kernel: MatMulNBits dequantises its whole weight to float32
 * on every run (measured: router-nano decodes ~10× slower from its q4 file than from the same weights in
 * float32; `npm run -s bench -- policy`). This rewrite lets onnxruntime dequantise once instead, at load:
 * each eligible MatMulNBits node becomes a chain of standard ops over its constant initializers,
 *
 *   codes = [B << 4 >> 4, B >> 4] interleaved → [N, nBlocks, blockSize]   (BitShift, Concat, Reshape)
 *   Ŵ     = (float(codes) − zero point) · scale → [N, K] → transposed [K, N] (Cast, Sub, Mul, Reshape, Slice, Transpose)
 *   y     = MatMul(A, Ŵ) (+ bias)
 *
 * which onnxruntime's constant folding turns into one float32 initializer per layer when the session is
 * created (every input is a constant), so each run is a plain float32 MatMul. Ŵ is exactly what
 * MatMulNBits multiplies by (quantizeQ4.ts dequantizeQ4), so outputs agree to float32 rounding.
 * Only standard ops from opset 11 are added: the model's opsets are left as they are.
 *
 * Eligible: domain com.microsoft, bits 4, B (uint8) and scales (float32) inline initializers, zero points
 * absent or packed uint8 initializers, no g_idx. Anything else (fp16 scales of q4f16 exports, float zero
 * points, external data) is left as MatMulNBits. The float32 weights cost 8× the q4 codes in memory, so
 * the rewrite is all or nothing under `maxExpandedBytes`; past it the model is returned unchanged.
 *
 * Not for: WebGPU (its MatMulNBits kernel is fast) or onnxruntime-node (native 4-bit kernels).
 */
import { attr, GraphBuilder } from './graphBuilder';
import { encodeNode, encodeTensor, type NodeData } from './onnxProto';
import { ProtoWriter, readFields, readPackedVarints, WIRE_LENGTH_DELIMITED, WIRE_VARINT, type ProtoField } from './protobuf';

export interface ExpandQ4Options {
  /** Float32 bytes the expanded weights may take in total (K · N · 4 per layer). */
  maxExpandedBytes: number;
}

export interface ExpandQ4Result {
  /** The rewritten model, or the input itself when nothing was rewritten. */
  bytes: Uint8Array;
  /** MatMulNBits nodes rewritten. */
  expanded: number;
  /** MatMulNBits nodes left as they are (not eligible, or all of them when over budget). */
  kept: number;
  /** Float32 bytes of the expanded weights (0 when nothing was rewritten). */
  expandedBytes: number;
  /** Why nothing was rewritten, when there were MatMulNBits nodes; null otherwise. */
  skipped: string | null;
}

interface Initializer {
  dims: number[];
  dataType: number;
  inline: boolean;
}

interface ParsedNode {
  data: NodeData;
  ints: Map<string, number>;
}

const DT_FLOAT = 1;
const DT_UINT8 = 2;
const utf8 = (b: Uint8Array): string => new TextDecoder().decode(b);

function readInitializer(msg: Uint8Array): [string, Initializer] {
  let name = '';
  const t: Initializer = { dims: [], dataType: 0, inline: true };
  for (const f of readFields(msg)) {
    if (f.field === 1) t.dims.push(...(f.wireType === WIRE_LENGTH_DELIMITED ? readPackedVarints(f.value) : [Number(BigInt.asIntN(64, f.value as bigint))]));
    else if (f.field === 2 && f.wireType === WIRE_VARINT) t.dataType = Number(f.value);
    else if (f.field === 8 && f.wireType === WIRE_LENGTH_DELIMITED) name = utf8(f.value);
    else if (f.field === 14 && f.wireType === WIRE_VARINT && f.value === 1n) t.inline = false;
  }
  return [name, t];
}

/** The parts of a NodeProto this rewrite needs (inputs, outputs, names, integer attributes). */
function readNode(msg: Uint8Array): ParsedNode {
  const inputs: string[] = [];
  const outputs: string[] = [];
  let name = '';
  let opType = '';
  let domain = '';
  const ints = new Map<string, number>();
  for (const f of readFields(msg)) {
    if (f.wireType !== WIRE_LENGTH_DELIMITED) continue;
    if (f.field === 1) inputs.push(utf8(f.value));
    else if (f.field === 2) outputs.push(utf8(f.value));
    else if (f.field === 3) name = utf8(f.value);
    else if (f.field === 4) opType = utf8(f.value);
    else if (f.field === 7) domain = utf8(f.value);
    else if (f.field === 5) {
      let attrName = '';
      let i: number | null = null;
      for (const a of readFields(f.value)) {
        if (a.field === 1 && a.wireType === WIRE_LENGTH_DELIMITED) attrName = utf8(a.value);
        else if (a.field === 3 && a.wireType === WIRE_VARINT) i = Number(BigInt.asIntN(64, a.value));
      }
      if (i !== null) ints.set(attrName, i);
    }
  }
  return { data: { opType, inputs, outputs, name, domain }, ints };
}

/** Copy one field verbatim. */
function copyField(w: ProtoWriter, f: ProtoField): void {
  if (f.wireType === WIRE_VARINT) w.int(f.field, f.value);
  else if (f.wireType === WIRE_LENGTH_DELIMITED) w.bytes(f.field, f.value);
  else w.tag(f.field, f.wireType).raw(f.value);
}

interface Plan {
  node: ParsedNode;
  n: number;
  k: number;
  blockSize: number;
  nBlocks: number;
}

/** Why `node` cannot be rewritten, or its plan. */
function planOf(node: ParsedNode, inits: ReadonlyMap<string, Initializer>): Plan | string {
  const [, b = '', scales = '', zeroPoints = '', gIdx = ''] = node.data.inputs;
  const n = node.ints.get('N');
  const k = node.ints.get('K');
  const blockSize = node.ints.get('block_size');
  const bits = node.ints.get('bits') ?? 4;
  if (n === undefined || k === undefined || blockSize === undefined) return 'N, K or block_size is missing';
  if (bits !== 4) return `bits ${bits}`;
  if (gIdx !== '') return 'g_idx';
  const nBlocks = Math.ceil(k / blockSize);
  const bInit = inits.get(b);
  if (bInit?.inline !== true || bInit.dataType !== DT_UINT8) return 'B is not an inline uint8 initializer';
  if (bInit.dims.reduce((x, y) => x * y, 1) !== n * nBlocks * (blockSize / 2)) return `B has ${bInit.dims.join('×')} codes, not N × blocks × ${blockSize / 2}`;
  const sInit = inits.get(scales);
  if (sInit?.inline !== true || sInit.dataType !== DT_FLOAT) return 'scales are not inline float32 (fp16 models keep MatMulNBits)';
  if (zeroPoints !== '') {
    const z = inits.get(zeroPoints);
    if (z?.inline !== true || z.dataType !== DT_UINT8) return 'zero points are not inline packed uint8';
  }
  return { node, n, k, blockSize, nBlocks };
}

/**
 * The standard-op chain of one MatMulNBits (see the header); adds its nodes and constants to `g`. `four` is
 * the shared uint8 scalar 4 (BitShift needs both operands uint8).
 */
function expandNode(g: GraphBuilder, p: Plan, four: string): void {
  const { node, n, k, blockSize, nBlocks } = p;
  const [a = '', b = '', scales = '', zeroPoints = '', , bias = ''] = node.data.inputs;
  const out = node.data.outputs[0] ?? '';
  g.scope = `${node.data.name || out}/expandQ4`;
  const shift = (x: string, direction: 'LEFT' | 'RIGHT'): string => g.node('BitShift', [x, four], { attributes: { direction: attr.string(direction) } });
  /** uint8 bytes holding two codes each → float32 codes [..., 2·bytes] in order (low nibble first). */
  const unpack = (bytes: string, rows: number, perRow: number): string => {
    const pairShape = g.constI64([rows, perRow, 1]);
    const low = g.node('Reshape', [shift(shift(bytes, 'LEFT'), 'RIGHT'), pairShape]);
    const high = g.node('Reshape', [shift(bytes, 'RIGHT'), pairShape]);
    const codes = g.node('Reshape', [g.node('Concat', [low, high], { attributes: { axis: attr.int(2) } }), g.constI64([rows, 2 * perRow])]);
    return g.node('Cast', [codes], { attributes: { to: attr.int(DT_FLOAT) } });
  };
  const codes = g.node('Reshape', [unpack(b, n, nBlocks * (blockSize / 2)), g.constI64([n, nBlocks, blockSize])]);
  let zero: string;
  if (zeroPoints === '') zero = g.constF32([8]);
  else {
    const perRow = Math.ceil(nBlocks / 2);
    const all = unpack(zeroPoints, n, perRow); // [N, 2·perRow]: one padding nibble when nBlocks is odd
    const sliced = 2 * perRow === nBlocks ? all : g.node('Slice', [all, g.constI64([0]), g.constI64([nBlocks]), g.constI64([1])]);
    zero = g.node('Reshape', [sliced, g.constI64([n, nBlocks, 1])]);
  }
  const scaled = g.node('Mul', [g.node('Sub', [codes, zero]), g.node('Reshape', [scales, g.constI64([n, nBlocks, 1])])]);
  let w = g.node('Reshape', [scaled, g.constI64([n, nBlocks * blockSize])]);
  if (nBlocks * blockSize !== k) w = g.node('Slice', [w, g.constI64([0]), g.constI64([k]), g.constI64([1])]);
  const wt = g.node('Transpose', [w], { attributes: { perm: attr.ints([1, 0]) } });
  if (bias === '') g.node('MatMul', [a, wt], { outputs: [out] });
  else g.node('Add', [g.node('MatMul', [a, wt]), bias], { outputs: [out] });
}

/** Rewrite the eligible MatMulNBits nodes of an ONNX model (see the header). */
export function expandMatMulNBits(model: Uint8Array, o: ExpandQ4Options): ExpandQ4Result {
  /** Nothing rewritten: `kept` MatMulNBits nodes stay, for `skipped`'s reason (null when there are none). */
  const unchanged = (kept: number, skipped: string | null): ExpandQ4Result => ({ bytes: model, expanded: 0, kept, expandedBytes: 0, skipped: kept === 0 ? null : skipped });
  let graph: Uint8Array | null = null;
  let defaultOpset = 1;
  for (const f of readFields(model)) {
    if (f.field === 7 && f.wireType === WIRE_LENGTH_DELIMITED) graph = f.value;
    if (f.field === 8 && f.wireType === WIRE_LENGTH_DELIMITED) {
      let domain = '';
      let version = 0;
      for (const x of readFields(f.value)) {
        if (x.field === 1 && x.wireType === WIRE_LENGTH_DELIMITED) domain = utf8(x.value);
        if (x.field === 2 && x.wireType === WIRE_VARINT) version = Number(x.value);
      }
      if (domain === '' || domain === 'ai.onnx') defaultOpset = version;
    }
  }
  if (graph === null) return unchanged(0, null);

  // Every wasm session goes through here (a training run opens a float32 rollout model each step): the
  // initializers' headers are read only when there is a MatMulNBits to plan.
  const initMessages: Uint8Array[] = [];
  const nodes: ParsedNode[] = [];
  for (const f of readFields(graph)) {
    if (f.wireType !== WIRE_LENGTH_DELIMITED) continue;
    if (f.field === 5) initMessages.push(f.value);
    else if (f.field === 1) nodes.push(readNode(f.value));
  }
  const candidates = nodes.filter((n) => n.data.opType === 'MatMulNBits' && n.data.domain === 'com.microsoft');
  if (candidates.length === 0) return unchanged(0, null);
  if (defaultOpset < 11) return unchanged(candidates.length, `the model's opset ${defaultOpset} predates BitShift (11)`);
  const inits = new Map(initMessages.map(readInitializer));
  const plans = candidates.map((n) => planOf(n, inits));
  const eligible = plans.filter((p): p is Plan => typeof p !== 'string');
  if (eligible.length === 0) return unchanged(candidates.length, `no MatMulNBits node is eligible (${String(plans[0])})`);
  const expandedBytes = eligible.reduce((s, p) => s + p.n * p.k * 4, 0);
  if (expandedBytes > o.maxExpandedBytes) {
    return unchanged(candidates.length, `their float32 weights would take ${(expandedBytes / 2 ** 20).toFixed(0)} MiB (limit ${(o.maxExpandedBytes / 2 ** 20).toFixed(0)} MiB)`);
  }

  // Node i of the graph is replaced by its chain, in place (the graph stays topologically sorted). One
  // builder shares the constants; its names get a prefix no other tensor has (our own models use const.*).
  const g = new GraphBuilder();
  const four = g.initializer({ name: 'four', dims: [], data: Uint8Array.of(4) });
  const chains = new Map<ParsedNode, NodeData[]>();
  for (const p of eligible) {
    const start = g.nodes.length;
    expandNode(g, p, four);
    chains.set(p.node, g.nodes.slice(start));
  }
  const renamed = new Map(g.initializers.map((t) => [t.name, `expandQ4:${t.name}`]));
  const rename = (n: NodeData): NodeData => ({ ...n, inputs: n.inputs.map((x) => renamed.get(x) ?? x) });
  const w = new ProtoWriter();
  let nodeIndex = 0;
  for (const f of readFields(graph)) {
    if (f.field === 1 && f.wireType === WIRE_LENGTH_DELIMITED) {
      const chain = chains.get(nodes[nodeIndex++] as ParsedNode);
      if (chain === undefined) copyField(w, f);
      else for (const n of chain) w.message(1, encodeNode(rename(n)));
      continue;
    }
    copyField(w, f);
  }
  for (const t of g.initializers) w.message(5, encodeTensor({ ...t, name: renamed.get(t.name) ?? t.name }));

  const m = new ProtoWriter();
  for (const f of readFields(model)) {
    if (f.field === 7 && f.wireType === WIRE_LENGTH_DELIMITED) m.message(7, w);
    else copyField(m, f);
  }
  return { bytes: m.finish(), expanded: eligible.length, kept: candidates.length - eligible.length, expandedBytes, skipped: null };
}
