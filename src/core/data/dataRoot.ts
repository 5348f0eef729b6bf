/**
 * The data root (DESIGN.md §9): where datasets and the reference texts are read from at run time —
 * the upstream URLs for users, the local mirror (../shared/data) in development and CI. Core knows the
 * layout and validates what it reads; adapters do the reading (fs in Node, fetch in the browser).
 */
import type { ReferenceTemplateId } from '../protocol/prompt';

/** Reads one file of the data root as text; rejects with a DataRootError when it cannot. */
export interface DataRoot {
  /** Where the files come from, for messages ("../shared/data", a URL). */
  readonly location: string;
  readText(path: string, opts?: { signal?: AbortSignal }): Promise<string>;
}

export class DataRootError extends Error {
  override name = 'DataRootError';
  /** True when the file is absent (as opposed to unreadable or unreachable); optional files use it. */
  readonly missing: boolean;

  constructor(message: string, opts: { missing?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.missing = opts.missing ?? false;
  }
}

/** Upstream sources, pinned to the commits the mirror was taken from (shared/data/README.md). */
export const UPSTREAM = {
  routerR1: 'https://raw.githubusercontent.com/ulab-uiuc/Router-R1/801a240e37701577907c32de27a548af4e6c4430/',
  llmRouter: 'https://raw.githubusercontent.com/ulab-uiuc/LLMRouter/4e7a796942ce26e9d5f2b93191c7c2585c99c2e3/',
  flashRag: 'https://huggingface.co/datasets/RUC-NLPIR/FlashRAG_datasets/resolve/main/',
} as const;

/** Paths inside the data root (mirror layout). */
export const DATA_PATHS = {
  template: (id: ReferenceTemplateId) => `router-r1/prompt_template_${id}.rendered.txt`,
  agentPrompt: 'router-r1/agent_prompt.rendered.txt',
  pool: 'router-r1/pool.json',
} as const;

/** A loaded reference template must have exactly one `{question}` field; anything else is malformed. */
export function validateTemplate(text: string, field: 'question' | 'query', source: string): string {
  const fields = text.match(/\{[^{}]*\}/g) ?? [];
  if (fields.length !== 1 || fields[0] !== `{${field}}`) {
    throw new DataRootError(
      `${source} is not a Router-R1 template: expected exactly one {${field}} field, found ${fields.length === 0 ? 'none' : fields.join(', ')}. ` +
        'Point the data root at a copy of shared/data (see its README) or at the upstream URL.',
    );
  }
  return text;
}

export async function loadReferenceTemplate(root: DataRoot, id: ReferenceTemplateId): Promise<string> {
  const path = DATA_PATHS.template(id);
  return validateTemplate(await root.readText(path), 'question', `${root.location}/${path}`);
}

export async function loadAgentPrompt(root: DataRoot): Promise<string> {
  const path = DATA_PATHS.agentPrompt;
  return validateTemplate(await root.readText(path), 'query', `${root.location}/${path}`);
}
