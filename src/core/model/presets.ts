/**
 * The four released Router-R1 checkpoints (DESIGN.md §3) as named conversion presets: where their
 * Hugging Face files live, which family and reference template they use, and the α they were trained
 * with (the paper's main runs use α = 0; the -Alpha0.9 pair is from the cost study, §2.4).
 *
 * They cannot be downloaded in tests; the path is tested with checkpoints the tests write in the same
 * format. Not for: the template text (loaded from the data root by id at run time, never committed).
 */
import type { DecoderModelType } from '../onnx/decoderConfig';
import type { ReferenceTemplateId } from '../protocol/prompt';
import { ROUTER_JSON_FORMAT, type RouterJson } from './routerJson';

export interface RouterR1Preset {
  /** Short id for the CLI and the model picker. */
  id: string;
  /** Hugging Face repo id. */
  repo: string;
  family: DecoderModelType;
  /** The instruct model it was fine-tuned from (its tokenizer and chat template). */
  baseModel: string;
  alpha: number;
  template: ReferenceTemplateId;
}

export const ROUTER_R1_PRESETS: readonly RouterR1Preset[] = [
  { id: 'router-r1-qwen', repo: 'ulab-ai/Router-R1-Qwen2.5-3B-Instruct', family: 'qwen2', baseModel: 'Qwen/Qwen2.5-3B-Instruct', alpha: 0, template: 'qwen' },
  { id: 'router-r1-qwen-alpha0.9', repo: 'ulab-ai/Router-R1-Qwen2.5-3B-Instruct-Alpha0.9', family: 'qwen2', baseModel: 'Qwen/Qwen2.5-3B-Instruct', alpha: 0.9, template: 'qwen' },
  { id: 'router-r1-llama', repo: 'ulab-ai/Router-R1-Llama-3.2-3B-Instruct', family: 'llama', baseModel: 'meta-llama/Llama-3.2-3B-Instruct', alpha: 0, template: 'llama' },
  { id: 'router-r1-llama-alpha0.9', repo: 'ulab-ai/Router-R1-Llama-3.2-3B-Instruct-Alpha0.9', family: 'llama', baseModel: 'meta-llama/Llama-3.2-3B-Instruct', alpha: 0.9, template: 'llama' },
];

export const HF_BASE_URL = 'https://huggingface.co/';

/** `https://huggingface.co/<repo>/resolve/<revision>/`: a URL prefix every file of the repo hangs off. */
export function hfResolveUrl(repo: string, revision = 'main'): string {
  return `${HF_BASE_URL}${repo}/resolve/${encodeURIComponent(revision)}/`;
}

export function presetUrlPrefix(preset: RouterR1Preset, revision = 'main'): string {
  return hfResolveUrl(preset.repo, revision);
}

/** A preset by id or repo id (case-insensitive). */
export function findPreset(idOrRepo: string): RouterR1Preset | undefined {
  const key = idOrRepo.toLowerCase();
  return ROUTER_R1_PRESETS.find((p) => p.id === key || p.repo.toLowerCase() === key);
}

/** The preset a URL prefix points at (a `huggingface.co/<repo>/resolve/<rev>/` URL of one of the four). */
export function presetForUrl(url: string): RouterR1Preset | undefined {
  const m = /^https:\/\/huggingface\.co\/([^/]+\/[^/]+)\/resolve\/[^/]+\/?$/.exec(url);
  return m?.[1] === undefined ? undefined : findPreset(m[1]);
}

/** router.json for a converted preset: the reference template by id, the paper's pool, its α. */
export function presetRouterJson(preset: RouterR1Preset, producer: string, revision = 'main'): RouterJson {
  return {
    format: ROUTER_JSON_FORMAT,
    prompt_template: preset.template,
    pool: 'router-r1',
    alpha: preset.alpha,
    provenance: { source: preset.repo, revision, producer, license: 'see the Hugging Face model card', notes: `fine-tuned from ${preset.baseModel}` },
  };
}
