/**
 * Model-name resolution of the Router-R1 reference (DESIGN.md §2.2): what the policy writes before the
 * first colon of a route, stripped and lowercased, is mapped to a pool model by substring rules.
 */
import { pyStrip } from '../text/pyText';

/** The reference ids (NVIDIA NIM) of the paper's pool and its two unseen models. */
export const REFERENCE_MODEL_IDS = {
  qwen7b: 'qwen/qwen2.5-7b-instruct',
  palmyra122b: 'writer/palmyra-creative-122b',
  llama70b: 'meta/llama-3.1-70b-instruct',
  nemotron51b: 'nvidia/llama-3.1-nemotron-51b-instruct',
  nemotronSuper49b: 'nvidia/llama-3.3-nemotron-super-49b-v1',
  chatqa8b: 'nvidia/llama3-chatqa-1.5-8b',
  llama8b: 'meta/llama-3.1-8b-instruct',
  mistral7b: 'mistralai/mistral-7b-instruct-v0.3',
  mixtral8x22b: 'mistralai/mixtral-8x22b-instruct-v0.1',
  granite8b: 'ibm/granite-3.0-8b-instruct',
  gemma27b: 'google/gemma-2-27b-it',
} as const;

export type ReferenceModelId = (typeof REFERENCE_MODEL_IDS)[keyof typeof REFERENCE_MODEL_IDS];

export interface ResolvedReferenceModel {
  id: ReferenceModelId;
  /** Sampling temperature the reference uses for this model (Gemma 0.1, all others 0). */
  temperature: number;
}

/**
 * The reference's substring rules, in order, on an already stripped and lowercased name.
 * Returns undefined for an unknown name (the reference's empty id).
 */
export function resolveLoweredName(name: string): ResolvedReferenceModel | undefined {
  const id = REFERENCE_MODEL_IDS;
  const pick = (m: ReferenceModelId, temperature = 0): ResolvedReferenceModel => ({ id: m, temperature });
  if (name.includes('qwen')) return pick(id.qwen7b);
  if (name.includes('palmyra') || name.includes('creative')) return pick(id.palmyra122b);
  if (name.includes('llama')) {
    if (name.includes('70b')) return pick(id.llama70b);
    if (name.includes('51b')) return pick(id.nemotron51b);
    if (name.includes('49b')) return pick(id.nemotronSuper49b);
    if (name.includes('8b')) return pick(name.includes('chatqa') ? id.chatqa8b : id.llama8b);
    return undefined;
  }
  if (name.includes('mistral')) return pick(id.mistral7b);
  if (name.includes('mixtral')) return pick(id.mixtral8x22b);
  if (name.includes('granite')) return pick(id.granite8b);
  if (name.includes('gemma')) return pick(id.gemma27b, 0.1);
  return undefined;
}

/** resolve_model: strip + lowercase, then the substring rules. */
export function resolveReferenceModel(name: string): ResolvedReferenceModel | undefined {
  return resolveLoweredName(pyStrip(name).toLowerCase());
}

/**
 * Resolution against an arbitrary pool (DESIGN.md §2.2): exact name first (case-insensitive after strip),
 * then the reference substring rules mapped onto the pool through each model's reference id, when it has one.
 * Returns the index of the pool model, or undefined.
 */
export function resolveInPool(
  name: string,
  pool: readonly { name: string; referenceId?: string }[],
): number | undefined {
  const lowered = pyStrip(name).toLowerCase();
  const exact = pool.findIndex((m) => pyStrip(m.name).toLowerCase() === lowered);
  if (exact >= 0) return exact;
  const ref = resolveLoweredName(lowered);
  if (ref === undefined) return undefined;
  const byRef = pool.findIndex((m) => (m.referenceId ?? resolveReferenceModel(m.name)?.id) === ref.id);
  return byRef >= 0 ? byRef : undefined;
}
