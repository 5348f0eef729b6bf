/**
 * An append-only ONNX graph under construction: nodes with generated unique output names, initializers
 * and shared constants. It keeps the decoder builder reading like the model ("x = add(x, mlp(x))")
 * instead of like protobuf.
 *
 * Not for: shape inference, optimisation or validation — onnxruntime does those when it loads the model.
 */
import type { AttributeValue, GraphData, NodeData, TensorData, ValueInfo } from './onnxProto';

export interface NodeOptions {
  /** Explicit output names (graph outputs such as `logits`); generated when absent. */
  outputs?: readonly string[];
  /** How many outputs to generate when `outputs` is absent (default 1). */
  outputCount?: number;
  domain?: string;
  attributes?: Readonly<Record<string, AttributeValue>>;
}

export const attr = {
  int: (value: number): AttributeValue => ({ kind: 'int', value }),
  float: (value: number): AttributeValue => ({ kind: 'float', value }),
  ints: (value: readonly number[]): AttributeValue => ({ kind: 'ints', value }),
  string: (value: string): AttributeValue => ({ kind: 'string', value }),
} as const;

export class GraphBuilder {
  readonly nodes: NodeData[] = [];
  readonly initializers: TensorData[] = [];
  private readonly constants = new Map<string, string>();
  private counter = 0;
  /** Prefix of generated names, e.g. `layers.3.attn`, so a node in a profile or error is findable. */
  scope = '';

  /** Add a node; returns its output names. */
  nodeOutputs(opType: string, inputs: readonly string[], opts: NodeOptions = {}): string[] {
    const id = `${this.scope ? this.scope + '/' : ''}${opType}_${this.counter++}`;
    const outputs = opts.outputs ?? Array.from({ length: opts.outputCount ?? 1 }, (_, k) => `${id}/out${k}`);
    const node: NodeData = { opType, inputs, outputs, name: id };
    if (opts.domain !== undefined) node.domain = opts.domain;
    if (opts.attributes !== undefined) node.attributes = opts.attributes;
    this.nodes.push(node);
    return [...outputs];
  }

  /** Add a single-output node; returns the output name. */
  node(opType: string, inputs: readonly string[], opts: NodeOptions = {}): string {
    return this.nodeOutputs(opType, inputs, opts)[0] ?? '';
  }

  initializer(t: TensorData): string {
    this.initializers.push(t);
    return t.name;
  }

  /** A deduplicated float32 constant (scalar when dims is []). */
  constF32(values: readonly number[], dims: readonly number[] = values.length === 1 ? [] : [values.length]): string {
    return this.constant('f32', values, dims, () => Float32Array.from(values));
  }

  /** A deduplicated int64 constant (1-D by default; `[]` dims for a scalar). */
  constI64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant('i64', values, dims, () => BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  private constant(kind: string, values: readonly number[], dims: readonly number[], data: () => TensorData['data']): string {
    const key = `${kind}:${dims.join('x')}:${values.join(',')}`;
    const known = this.constants.get(key);
    if (known !== undefined) return known;
    const name = `const.${kind}.${this.constants.size}`;
    this.constants.set(key, name);
    return this.initializer({ name, dims, data: data() });
  }

  build(name: string, inputs: readonly ValueInfo[], outputs: readonly ValueInfo[]): GraphData {
    return { name, nodes: this.nodes, initializers: this.initializers, inputs, outputs };
  }
}
