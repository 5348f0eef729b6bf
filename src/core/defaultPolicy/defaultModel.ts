/**
 * What the embedded default policies are (DESIGN.md §6): the variants (one per α, like the paper's
 * released pair), the teacher each one learns from, the model shape and its initial weights,
 * `embedded.json` (the index the app reads to find them), and how α picks a variant and sets the
 * cost-aware decoding bias. Pure data and functions: the training command (src/cli/trainDefault) runs
 * it, the app and the CLI read it; it must not read files or know about a host.
 *
 * Shape: a Qwen2-family decoder small enough that its q4 folder stays well under 10 MB and that a
 * 2-core CPU trains it in minutes; rotary positions, so max_position_embeddings is only the declared
 * limit (8,192: the reference settings, rolling context 4,096 + 1,024 new tokens, fit).
 */
import { createRng, type Rng } from '../math/rng';
import { qwen2ConfigJson, type DecoderConfig } from '../onnx/decoderConfig';
import { expectedWeightShapes, type WeightTensor } from '../onnx/weights';
import type { TeacherPlan } from './teacher';
import type { RouterJson } from '../model/routerJson';

/**
 * How the embedded policies decode (router.json `decoding`): the tag grammar, thoughts of at most 48
 * tokens (the teacher's longest is about 30), and extractive spans — the teacher always routes the
 * question itself and answers with words of a reply, so that is what these policies write.
 */
export const EMBEDDED_DECODING: NonNullable<RouterJson['decoding']> = { protocol_grammar: true, extractive_spans: true, max_think_tokens: 48 };

/** How a variant's teacher orders the models it tries. */
export type TeacherOrder = 'cheap-first' | 'trust-first';

export interface DefaultPolicyVariant {
  /** Folder name under public/models/. */
  name: string;
  /** The reward's cost weight it is trained for (DESIGN.md §2.4). */
  alpha: number;
  teacher: { order: TeacherOrder; maxRoutes: number };
  /** Passes over the teacher's trajectories, the peak learning rate, and copy-practice copies of the training questions (augment.ts). */
  sft: { epochs: number; lr: number; syntheticCopies: number };
  /** GRPO after the warm-up. */
  rl: { steps: number; questionsPerStep: number; groupSize: number; lr: number };
  /** One line for the model card and the app. */
  summary: string;
}

export const EMBEDDED_INDEX_FILE = 'embedded.json';
export const EMBEDDED_INDEX_FORMAT = 1;

/**
 * α = 0: accuracy first — ask the most trusted models, confirm until two replies agree (≤ 3 calls).
 * α = 0.8: cost first — cheapest first, stop at the first stated answer, escalate only on "cannot help".
 */
export const DEFAULT_POLICY_VARIANTS: readonly DefaultPolicyVariant[] = [
  {
    name: 'router-nano-a0',
    alpha: 0,
    teacher: { order: 'trust-first', maxRoutes: 3 },
    sft: { epochs: 10, lr: 1e-3, syntheticCopies: 2 },
    rl: { steps: 8, questionsPerStep: 8, groupSize: 4, lr: 2e-5 },
    summary: 'accuracy first (α = 0): asks the strongest models and answers when two replies agree',
  },
  {
    name: 'router-nano-a08',
    alpha: 0.8,
    teacher: { order: 'cheap-first', maxRoutes: 3 },
    sft: { epochs: 4, lr: 1e-3, syntheticCopies: 2 },
    rl: { steps: 8, questionsPerStep: 8, groupSize: 4, lr: 2e-5 },
    summary: 'cost first (α = 0.8): cheapest model first, stops at the first answer',
  },
];

export const DEFAULT_POLICY_SEED = 1;
export const DEFAULT_BPE_VOCAB = 2048;

/** The model's config.json (Qwen2 family). `vocabSize` is padded to a multiple of 16 by the caller. */
export function defaultPolicyConfigJson(vocabSize: number, ids: { eos: number; pad: number }): Record<string, unknown> {
  return qwen2ConfigJson({ hiddenSize: 128, intermediateSize: 384, layers: 4, heads: 4, kvHeads: 2, maxPositions: 8192 }, vocabSize, ids);
}


/**
 * Initial weights: normal(0, 0.02) for embeddings and linear layers, the residual outputs (o_proj,
 * down_proj) scaled by 1/√(2·layers) as in GPT-2, zero biases, unit norms. Seeded (Box–Muller).
 */
export function initialDecoderWeights(config: DecoderConfig, seed: number): Map<string, WeightTensor> {
  const rng = createRng(seed).fork('default-policy.init');
  const out = new Map<string, WeightTensor>();
  const std = 0.02;
  const residual = std / Math.sqrt(2 * config.numLayers);
  for (const [name, shape] of expectedWeightShapes(config)) {
    const count = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(count);
    if (name.endsWith('norm.weight')) data.fill(1);
    else if (!name.endsWith('.bias')) fillNormal(data, /o_proj|down_proj/.test(name) ? residual : std, rng.fork(name));
    out.set(name, { data, shape });
  }
  return out;
}

function fillNormal(a: Float32Array, std: number, rng: Rng): void {
  for (let i = 0; i < a.length; i += 2) {
    const u = 1 - rng.nextFloat();
    const v = rng.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u)) * std;
    a[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < a.length) a[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
}

/** The teacher plan of a variant: cheapest first (the plan as built), or most trusted first. */
export function variantPlan(plan: TeacherPlan, order: TeacherOrder): TeacherPlan {
  if (order === 'cheap-first') return plan;
  const trust = (n: string): number => plan.trust[n] ?? 0;
  return { ...plan, cheapFirst: [...plan.cheapFirst].sort((a, b) => trust(b) - trust(a) || plan.cheapFirst.indexOf(a) - plan.cheapFirst.indexOf(b)) };
}

/** public/models/embedded.json: the shipped variants, in α order; the app's α control picks among them. */
export interface EmbeddedIndex {
  format: typeof EMBEDDED_INDEX_FORMAT;
  /** The folder the app opens by default. */
  default: string;
  variants: { name: string; alpha: number; summary: string }[];
  /**
   * Baselines, not variants (the α control never picks them): each variant's weights before RL — the
   * supervised warm-up alone, decoded the same way — so an evaluation shows what RL added.
   */
  warmups?: { name: string; of: string; alpha: number }[];
}

/** The folder of a variant's weights before RL (`<name>-warmup`). */
export const warmupFolderName = (variant: string): string => `${variant}-warmup`;

export class EmbeddedIndexError extends Error {
  override name = 'EmbeddedIndexError';
}

export function embeddedIndex(variants: readonly DefaultPolicyVariant[] = DEFAULT_POLICY_VARIANTS): EmbeddedIndex {
  const sorted = [...variants].sort((a, b) => a.alpha - b.alpha);
  return {
    format: EMBEDDED_INDEX_FORMAT,
    default: (sorted[0] as DefaultPolicyVariant).name,
    variants: sorted.map((v) => ({ name: v.name, alpha: v.alpha, summary: v.summary })),
    warmups: sorted.map((v) => ({ name: warmupFolderName(v.name), of: v.name, alpha: v.alpha })),
  };
}

export function parseEmbeddedIndex(json: unknown): EmbeddedIndex {
  const r = json as Partial<EmbeddedIndex> | null;
  if (typeof r !== 'object' || r === null || r.format !== EMBEDDED_INDEX_FORMAT) throw new EmbeddedIndexError(`${EMBEDDED_INDEX_FILE}: "format" must be ${EMBEDDED_INDEX_FORMAT}.`);
  if (!Array.isArray(r.variants) || r.variants.length === 0) throw new EmbeddedIndexError(`${EMBEDDED_INDEX_FILE}: "variants" must list at least one model folder.`);
  for (const v of r.variants) {
    if (typeof v?.name !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(v.name) || typeof v.alpha !== 'number' || !(v.alpha >= 0 && v.alpha <= 1)) {
      throw new EmbeddedIndexError(`${EMBEDDED_INDEX_FILE}: each variant needs a folder "name" (lowercase letters, digits, . _ -) and an "alpha" in [0, 1].`);
    }
  }
  if (typeof r.default !== 'string' || !r.variants.some((v) => v.name === r.default)) throw new EmbeddedIndexError(`${EMBEDDED_INDEX_FILE}: "default" must name one of the variants.`);
  if (r.warmups !== undefined) {
    const ok = Array.isArray(r.warmups) && r.warmups.every((w) => typeof w?.name === 'string' && /^[a-z0-9][a-z0-9._-]*$/.test(w.name) && r.variants?.some((v) => v.name === w.of) && typeof w.alpha === 'number');
    if (!ok) throw new EmbeddedIndexError(`${EMBEDDED_INDEX_FILE}: each of "warmups" needs a folder "name", the variant it is the warm-up "of", and its "alpha".`);
  }
  return r as EmbeddedIndex;
}

/** The variant whose α is nearest to `alpha` (ties: the lower α); null when none is listed. */
export function variantForAlpha(index: Pick<EmbeddedIndex, 'variants'>, alpha: number): EmbeddedIndex['variants'][number] | null {
  return [...index.variants].sort((a, b) => Math.abs(a.alpha - alpha) - Math.abs(b.alpha - alpha) || a.alpha - b.alpha)[0] ?? null;
}

/** λ of the cost-aware decoding bias per unit of α: what the α control adds on top of a model policy (α = 0.5 → λ = 2). */
export const COST_BIAS_PER_ALPHA = 4;

/**
 * The cost-aware decoding bias at α: λ = 4α, rounded to 1e-6 so the α control shows 0.3 as 1.2 (not
 * 1.2000000000000002). The one mapping of α to λ: the episode view, the Evaluate view and its sweep.
 */
export function costBiasStrengthForAlpha(alpha: number): number {
  return Math.round(alpha * COST_BIAS_PER_ALPHA * 1e6) / 1e6;
}
