/**
 * The core `LanguageModel` port over onnxruntime-node (CLI, Node tests, benchmarks): the same semantics
 * as adapters/ort/ortLanguageModel.ts on the CPU EP. The KV cache is the previous run's present
 * tensors, fed back as they are (no copy); truncation slices them along the position axis.
 *
 * Feeds, batch 1: input_ids [1, S]; attention_mask [1, P + S] all ones; position_ids P … P + S − 1;
 * past_key_values.{i}.key|value [1, H, P, D]. `forward` is atomic: the cache changes only after a
 * successful run that was not aborted.
 */
import * as ort from 'onnxruntime-node';
import type { ForwardOptions, LanguageModel } from '../../core/policy/languageModel';
import { createNodeSession, ModelLoadError, type NodeSession, type NodeSessionOptions } from './ortNode';

export class NodeModelInputError extends Error {
  override name = 'NodeModelInputError';
}

export interface NodeLanguageModelOptions extends NodeSessionOptions {
  eosTokenIds?: readonly number[];
  /** Default: the logits output's last dimension. */
  vocabSize?: number;
}

export interface NodeLanguageModel extends LanguageModel {
  readonly session: NodeSession;
  /** Tokens fed through forward since creation (prefill accounting in tests and benchmarks). */
  readonly tokensFed: number;
  dispose(): Promise<void>;
}

interface KvLayout {
  pairs: { past: string; present: string }[];
  heads: number;
  dim: number;
}

function kvLayout(session: NodeSession): KvLayout {
  const pasts = session.inputMetadata.filter((m) => m.name.startsWith('past_key_values.'));
  const first = pasts[0];
  const [, heads, , dim] = first?.isTensor === true ? first.shape : [];
  if (typeof heads !== 'number' || typeof dim !== 'number') throw new ModelLoadError('The model has no past_key_values.* inputs with static [batch, heads, past, head_dim]; it is not a decoder in the standard layout.');
  return { pairs: pasts.map((m) => ({ past: m.name, present: m.name.replace('past_key_values.', 'present.') })), heads, dim };
}

/** A decoder LanguageModel over ONNX bytes. */
export async function createNodeLanguageModel(bytes: Uint8Array, o: NodeLanguageModelOptions = {}): Promise<NodeLanguageModel> {
  const session = await createNodeSession(bytes, o);
  const layout = kvLayout(session);
  const logitsMeta = session.outputMetadata.find((m) => m.name === 'logits');
  const vocabSize = o.vocabSize ?? (logitsMeta?.isTensor === true ? logitsMeta.shape[logitsMeta.shape.length - 1] : undefined);
  if (typeof vocabSize !== 'number') throw new ModelLoadError('The logits output has no static vocabulary size; pass vocabSize.');
  const ids: number[] = [];
  let cache = new Map<string, ort.Tensor>(); // past name → [1, H, P, D]
  let tokensFed = 0;
  const empty = (): ort.Tensor => new ort.Tensor('float32', new Float32Array(0), [1, layout.heads, 0, layout.dim]);
  const i64 = (values: ArrayLike<number>): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from(Array.from(values), BigInt), [1, values.length]);

  return {
    session,
    vocabSize,
    eosTokenIds: [...(o.eosTokenIds ?? [])],
    get tokensFed() {
      return tokensFed;
    },
    async forward(input: readonly number[], opts: ForwardOptions = {}) {
      opts.signal?.throwIfAborted();
      if (input.length === 0) throw new NodeModelInputError('forward needs at least one new token.');
      for (const id of input) if (!Number.isInteger(id) || id < 0 || id >= vocabSize) throw new NodeModelInputError(`Token id ${id} is outside the vocabulary [0, ${vocabSize}).`);
      const past = ids.length;
      const feeds: Record<string, ort.Tensor> = {
        input_ids: i64(input),
        attention_mask: i64(new Array<number>(past + input.length).fill(1)),
        position_ids: i64(input.map((_, s) => past + s)),
      };
      for (const name of Object.keys(feeds)) if (!session.inputNames.includes(name)) delete feeds[name];
      for (const { past: name } of layout.pairs) feeds[name] = cache.get(name) ?? empty();
      const results = await session.run(feeds);
      const logits = results['logits']?.data as Float32Array | undefined;
      if (logits === undefined) throw new NodeModelInputError('The model has no logits output.');
      opts.signal?.throwIfAborted(); // before commit: the cache is unchanged
      const next = new Map<string, ort.Tensor>();
      for (const { past: name, present } of layout.pairs) {
        const t = results[present];
        if (t === undefined) throw new NodeModelInputError(`The run returned no ${present}.`);
        next.set(name, t);
      }
      cache = next;
      ids.push(...input);
      tokensFed += input.length;
      return logits.slice(logits.length - vocabSize); // [V], owned
    },
    reset() {
      cache = new Map();
      ids.length = 0;
    },
    async truncate(prefixLength: number) {
      if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > ids.length) {
        throw new NodeModelInputError(`Cannot truncate a cache of ${ids.length} positions to ${prefixLength}.`);
      }
      if (prefixLength === ids.length) return;
      const next = new Map<string, ort.Tensor>();
      for (const [name, t] of cache) {
        next.set(name, new ort.Tensor('float32', slicePositions(t.data as Float32Array, layout, ids.length, prefixLength), [1, layout.heads, prefixLength, layout.dim]));
      }
      cache = next;
      ids.length = prefixLength;
    },
    cachedLength: () => ids.length,
    cachedIds: () => ids.slice(),
    async dispose() {
      cache = new Map();
      await session.release();
    },
  };
}

/** [1, H, P, D] → [1, H, keep, D] (a copy). */
function slicePositions(data: Float32Array, l: KvLayout, length: number, keep: number): Float32Array {
  const out = new Float32Array(l.heads * keep * l.dim);
  for (let h = 0; h < l.heads; h++) out.set(data.subarray(h * length * l.dim, h * length * l.dim + keep * l.dim), h * keep * l.dim);
  return out;
}
