/**
 * Candidate providers (DESIGN.md §5): OpenAI-compatible chat completions and Anthropic Messages, with
 * presets for the hosted APIs that accept calls from a browser and for local servers. A config holds no
 * key: keys are looked up per call by provider id and never stored with the config.
 */

export type ProviderKind = 'openai' | 'anthropic';

export interface ProviderConfig {
  /** Stable id, what PoolModelRecord.provider holds ("openrouter", "ollama"). */
  id: string;
  label: string;
  kind: ProviderKind;
  /** Up to and including the version segment: `${baseUrl}/chat/completions`, `${baseUrl}/messages`. */
  baseUrl: string;
  /** False for local servers that accept calls without a key (a key is still sent when one is given). */
  needsKey: boolean;
  /** Extra headers sent on every call (never a key). */
  headers?: Record<string, string>;
  /** What to do when the browser blocks calls to this provider (CORS). */
  corsNote?: string;
}

export const ANTHROPIC_VERSION = '2023-06-01';

/** Providers whose APIs answer browser calls (CORS); offered in the CORS explanation. */
export const BROWSER_FRIENDLY_PROVIDERS = 'OpenRouter, Together or OpenAI';

const presets = [
  { id: 'openai', label: 'OpenAI', kind: 'openai', baseUrl: 'https://api.openai.com/v1', needsKey: true },
  { id: 'openrouter', label: 'OpenRouter', kind: 'openai', baseUrl: 'https://openrouter.ai/api/v1', needsKey: true },
  { id: 'together', label: 'Together AI', kind: 'openai', baseUrl: 'https://api.together.xyz/v1', needsKey: true },
  { id: 'groq', label: 'Groq', kind: 'openai', baseUrl: 'https://api.groq.com/openai/v1', needsKey: true },
  { id: 'fireworks', label: 'Fireworks AI', kind: 'openai', baseUrl: 'https://api.fireworks.ai/inference/v1', needsKey: true },
  { id: 'deepinfra', label: 'DeepInfra', kind: 'openai', baseUrl: 'https://api.deepinfra.com/v1/openai', needsKey: true },
  {
    id: 'mistral',
    label: 'Mistral',
    kind: 'openai',
    baseUrl: 'https://api.mistral.ai/v1',
    needsKey: true,
    corsNote: 'Mistral may refuse calls from a browser; use its models through OpenRouter instead.',
  },
  {
    id: 'anthropic',
    label: 'Anthropic',
    kind: 'anthropic',
    baseUrl: 'https://api.anthropic.com/v1',
    needsKey: true,
    // Anthropic answers browser calls only with this opt-in header (the key is then visible to the page's code).
    headers: { 'anthropic-version': ANTHROPIC_VERSION, 'anthropic-dangerous-direct-browser-access': 'true' },
  },
  {
    id: 'ollama',
    label: 'Ollama (local)',
    kind: 'openai',
    baseUrl: 'http://127.0.0.1:11434/v1',
    needsKey: false,
    corsNote: 'start Ollama with OLLAMA_ORIGINS set to this page\'s origin (or "*"), e.g. OLLAMA_ORIGINS="*" ollama serve',
  },
  {
    id: 'lmstudio',
    label: 'LM Studio (local)',
    kind: 'openai',
    baseUrl: 'http://127.0.0.1:1234/v1',
    needsKey: false,
    corsNote: 'turn on "Enable CORS" in LM Studio\'s server settings (or run: lms server start --cors)',
  },
  {
    id: 'vllm',
    label: 'vLLM (local)',
    kind: 'openai',
    baseUrl: 'http://127.0.0.1:8000/v1',
    needsKey: false,
    corsNote: 'start vLLM with --allowed-origins \'["*"]\' (vllm serve MODEL --allowed-origins \'["*"]\')',
  },
] as const satisfies readonly ProviderConfig[];

export type ProviderPresetId = (typeof presets)[number]['id'];

export const PROVIDER_PRESETS: Readonly<Record<ProviderPresetId, ProviderConfig>> = Object.fromEntries(presets.map((p) => [p.id, p])) as Record<
  ProviderPresetId,
  ProviderConfig
>;

/** The CORS fix to suggest for a provider: its own note, else the browser-friendly providers and local flags. */
export function corsAdvice(provider: ProviderConfig): string {
  const local = 'run a local server with CORS on (Ollama: OLLAMA_ORIGINS="*"; vLLM: --allowed-origins \'["*"]\'; LM Studio: enable CORS)';
  return provider.corsNote !== undefined ? `Fix: ${provider.corsNote}.` : `Use ${BROWSER_FRIENDLY_PROVIDERS}, or ${local}.`;
}
