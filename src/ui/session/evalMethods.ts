/**
 * The Evaluate view's methods: which method ids fit this page (the pool, the loaded model, the embedded
 * policies of embedded.json), their specs with the app's labels, and the onnx policies the engine runs
 * for a spec's policy methods. Ids are read with core's parseMethodId (the one inverse of methodId);
 * α picks a variant and sets the bias through core's variantForAlpha / costBiasStrengthForAlpha.
 * Must not: read the store, the engine or the network (callers pass what they hold).
 */
import {
  costBiasStrengthForAlpha,
  EvalMethodError,
  OFFLINE_PROVIDER,
  parseMethodId,
  variantForAlpha,
  type EmbeddedIndex,
  type EngineEvalRequest,
  type EvalMethodSpec,
  type EvalRunSpec,
  type LoadedModelInfo,
  type PolicySpec,
  type PreferredDevice,
  type SamplingConfig,
  type Trajectory,
} from '../../core';

/** The policy method of the loaded model (one at a time: the engine keeps one model). */
export const LOADED_POLICY_ID = 'loaded';

/**
 * "Embedded policy (by α)", method id `policy:embedded`: the embedded variant trained for the α nearest
 * the run's (router-nano-a0 below α 0.45, router-nano-a08 from there), greedy, with the cost-aware
 * decoding bias λ = 4α on top — what the α control does to the embedded policy in the Model policy
 * mode. One method id across α, so runs at different α (and the α sweep) compare on one plot.
 */
export const EMBEDDED_BY_ALPHA_ID = 'embedded';

/**
 * Embedded policies (public/models/<name>/, listed in embedded.json) run greedily: each variant's α is
 * in its weights (it was trained at that α), so no sampling noise and no cost-aware bias on top — the
 * CLI's `eval --policy public/models/<name>` decodes the same way (temperature 0, no bias).
 */
export const EMBEDDED_SAMPLING = { temperature: 0, topP: 1, topK: 0 } as const;

export type EmbeddedVariant = EmbeddedIndex['variants'][number];
/** A variant's weights before RL (embedded.json `warmups`). */
export type EmbeddedWarmup = NonNullable<EmbeddedIndex['warmups']>[number];

/**
 * The label of a warm-up method (`policy:<variant>-warmup`): the same weights as its variant before RL
 * (the supervised warm-up alone), the paper's "same policy weights used as a plain prompted router".
 */
export const warmupMethodLabel = (w: EmbeddedWarmup): string => `${w.of} before RL (warm-up, α ${w.alpha})`;

/**
 * Method ids → specs; ids that do not parse or do not fit this pool (a model removed, no model loaded,
 * an embedded variant or warm-up that is not listed, the oracle on a live pool) are left out.
 * `embedded`: the variants of embedded.json; `alpha`: the run's α, which picks the variant of
 * `policy:embedded` (never a warm-up); `warmups`: the warm-ups of embedded.json.
 */
export function methodSpecs(
  ids: readonly string[],
  pool: Trajectory['pool'],
  model: LoadedModelInfo | null,
  embedded: readonly EmbeddedVariant[] = [],
  alpha = 0,
  warmups: readonly EmbeddedWarmup[] = [],
): EvalMethodSpec[] {
  return ids.flatMap((id) => {
    const spec = parseOrNull(id);
    return spec === null ? [] : fitted(spec, { pool, model, embedded, alpha, warmups });
  });
}

function parseOrNull(id: string): EvalMethodSpec | null {
  try {
    return parseMethodId(id);
  } catch (err) {
    if (err instanceof EvalMethodError) return null;
    throw err;
  }
}

interface PageMethods {
  pool: Trajectory['pool'];
  model: LoadedModelInfo | null;
  embedded: readonly EmbeddedVariant[];
  alpha: number;
  warmups: readonly EmbeddedWarmup[];
}

/** The spec as this page runs it (labels, the variant by α), or none when it does not fit. */
function fitted(spec: EvalMethodSpec, page: PageMethods): EvalMethodSpec[] {
  switch (spec.kind) {
    case 'single':
      return page.pool.some((m) => m.name === spec.model) ? [spec] : [];
    case 'oracle':
      return page.pool.some((m) => m.provider !== OFFLINE_PROVIDER) ? [] : [spec];
    case 'policy':
      return fittedPolicy(spec.id, page);
    default:
      return [spec];
  }
}

function fittedPolicy(id: string, page: PageMethods): EvalMethodSpec[] {
  if (id === LOADED_POLICY_ID) return page.model === null ? [] : [{ kind: 'policy', id, label: page.model.name }];
  if (id === EMBEDDED_BY_ALPHA_ID) {
    const variant = variantForAlpha({ variants: [...page.embedded] }, page.alpha);
    return variant === null ? [] : [{ kind: 'policy', id, label: `embedded policy at α ${page.alpha}: ${variant.name}`, variant: variant.name }];
  }
  const variant = page.embedded.find((v) => v.name === id);
  if (variant !== undefined) return [{ kind: 'policy', id, label: `${variant.name} (α ${variant.alpha})` }];
  const warmup = page.warmups.find((w) => w.name === id);
  return warmup === undefined ? [] : [{ kind: 'policy', id, label: warmupMethodLabel(warmup) }];
}

/** What the page holds for running policy methods. */
export interface PolicyHost {
  model: LoadedModelInfo | null;
  /** The run's sampling (the loaded model samples with it; embedded policies decode greedily). */
  sampling: Pick<SamplingConfig, 'temperature' | 'topP' | 'topK'>;
  preferredDevice: PreferredDevice;
  /** Embedded policies live under `<baseUrl>models/`. */
  baseUrl: string;
}

/**
 * The onnx policies of the spec's policy methods: the loaded model (the run's sampling, α as the
 * cost-aware bias), embedded variants and their warm-ups by folder name (greedy, no bias: their α is
 * trained in), and the embedded policy by α (the variant recorded in the spec, greedy, α as the bias).
 * Built from the spec alone, so a resumed run finds its variants before embedded.json is read.
 */
export function policiesFor(spec: EvalRunSpec, host: PolicyHost): EngineEvalRequest['policies'] {
  const out: NonNullable<EngineEvalRequest['policies']> = {};
  for (const m of spec.methods) {
    if (m.kind !== 'policy') continue;
    const policy = m.id === LOADED_POLICY_ID ? loadedPolicy(spec, host) : embeddedPolicy(m, spec, host);
    if (policy !== null) out[m.id] = policy;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

type OnnxPolicy = Extract<PolicySpec, { kind: 'onnx' }>;
const withBias = (strength: number): Pick<OnnxPolicy, 'costBias'> => (strength > 0 ? { costBias: { strength } } : {});

function loadedPolicy(spec: EvalRunSpec, host: PolicyHost): OnnxPolicy | null {
  if (host.model === null) return null;
  const { temperature, topP, topK } = host.sampling;
  return { kind: 'onnx', model: host.model.ref, preferredDevice: host.model.preferredDevice, sampling: { temperature, topP, topK, seed: spec.seed }, ...withBias(costBiasStrengthForAlpha(spec.alpha)) };
}

function embeddedPolicy(m: Extract<EvalMethodSpec, { kind: 'policy' }>, spec: EvalRunSpec, host: PolicyHost): OnnxPolicy | null {
  const byAlpha = m.id === EMBEDDED_BY_ALPHA_ID;
  if (byAlpha && m.variant === undefined) return null;
  return {
    kind: 'onnx',
    model: { kind: 'embedded', name: m.variant ?? m.id, baseUrl: host.baseUrl },
    preferredDevice: host.preferredDevice,
    sampling: { ...EMBEDDED_SAMPLING, seed: spec.seed },
    ...withBias(byAlpha ? costBiasStrengthForAlpha(spec.alpha) : 0),
  };
}
