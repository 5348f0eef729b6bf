/**
 * `onnx:<model folder>` methods of the CLI evaluation: a router policy from a model folder (or URL
 * prefix) on onnxruntime-node, built once per folder and given a fresh sampler per episode (the run's
 * per-episode seed). The prompt follows the folder's router.json template: the project's compact one,
 * or a reference template read from the data root. The same weights without RL are a "prompt-only
 * router": point a second onnx: method at the base model's folder.
 */
import { folderDecodingOf } from '../../core/model/routerJson';
import { folderDecodingProcessors, type FolderDecoding } from '../../core/policy/folderDecoding';
import { createModelSourceFor } from '../../adapters/node/modelFs';
import { createNodeLanguageModel, type NodeLanguageModel } from '../../adapters/node/nodeLanguageModel';
import { createHfTokenizer, type HfTokenizer } from '../../adapters/tokenizers/hfTokenizer';
import { createChatFraming } from '../../adapters/tokenizers/chatTemplate';
import { loadReferenceTemplate, type DataRoot } from '../../core/data/dataRoot';
import type { PolicyMethodPorts, PolicyEpisodeContext } from '../../core/eval/runEvaluation';
import { loadModelFolder, type LoadedModelFolder } from '../../core/model/modelFolder';
import { createLanguageModelPolicy } from '../../core/policy/languageModelPolicy';
import { NO_CHAT_FRAMING, type ChatFraming } from '../../core/policy/tokenizedChat';
import { renderCompactPromptForPool, renderPrompt, type TemplateId } from '../../core/protocol/prompt';
import type { SamplingConfig } from '../../core/share/shareState';

interface LoadedNodePolicy {
  name: string;
  model: NodeLanguageModel;
  tokenizer: HfTokenizer;
  framing: ChatFraming;
  template: TemplateId;
  referenceTemplate: string | null;
  /** router.json `decoding`: the processors the folder was measured with. */
  decoding: FolderDecoding;
  /** config.json's max_position_embeddings less the chat framing's tokens (runEvaluation fits the episode limits into it). */
  contextCapacity: number;
}

export interface NodePolicyHost {
  portsFor(folder: string, ctx: PolicyEpisodeContext): Promise<PolicyMethodPorts>;
  dispose(): Promise<void>;
}

export function createNodePolicyHost(o: { root: DataRoot; sampling: SamplingConfig; now: () => number }): NodePolicyHost {
  const loaded = new Map<string, Promise<LoadedNodePolicy>>();
  const load = (folder: string): Promise<LoadedNodePolicy> => {
    let p = loaded.get(folder);
    if (p === undefined) {
      p = loadPolicy(folder, o.root);
      loaded.set(folder, p);
    }
    return p;
  };
  return {
    async portsFor(folder, ctx) {
      const m = await load(folder);
      const decoding = folderDecodingProcessors(m.tokenizer, m.decoding, ctx.pool.map((p) => p.name));
      const policy = createLanguageModelPolicy(m.model, m.tokenizer, {
        processors: decoding,
        id: m.name,
        sampling: { ...o.sampling, seed: ctx.seed },
        framing: m.framing,
        tokenizerVocabSize: m.tokenizer.vocabSize,
        now: o.now,
      });
      const prompt =
        m.referenceTemplate === null
          ? renderCompactPromptForPool(ctx.pool, ctx.question.text)
          : renderPrompt(m.referenceTemplate, ctx.question.text);
      return { policy, tokenizer: m.tokenizer, template: m.template, prompt, contextCapacity: m.contextCapacity };
    },
    async dispose() {
      for (const p of loaded.values()) await (await p.catch(() => undefined))?.model.dispose();
      loaded.clear();
    },
  };
}

async function loadPolicy(folder: string, root: DataRoot): Promise<LoadedNodePolicy> {
  const f: LoadedModelFolder = await loadModelFolder(createModelSourceFor(folder));
  const tokenizer = createHfTokenizer(f.tokenizerJson, f.tokenizerConfig, { modelVocabSize: f.config.vocabSize });
  const template: TemplateId = f.router?.prompt_template ?? (f.config.modelType === 'llama' ? 'llama' : 'qwen');
  const framing = template === 'compact' || f.tokenizerConfig['chat_template'] === undefined ? NO_CHAT_FRAMING : createChatFraming(tokenizer.config, tokenizer);
  const referenceTemplate = template === 'compact' ? null : await loadReferenceTemplate(root, template);
  const model = await createNodeLanguageModel(f.onnx.bytes, { eosTokenIds: eosIds(f, tokenizer), vocabSize: f.config.vocabSize });
  const name = f.location.replace(/\/+$/, '').split('/').pop() || f.location;
  const contextCapacity = f.config.maxPositionEmbeddings - framing.prefixIds.length - framing.suffixIds.length;
  return { name, model, tokenizer, framing, template, referenceTemplate, contextCapacity, decoding: folderDecodingOf(f.router) };
}

/** generation_config.json's eos_token_id (one or several), else config.json's, else the tokenizer's. */
function eosIds(f: LoadedModelFolder, tokenizer: HfTokenizer): number[] {
  for (const raw of [f.generationConfig?.['eos_token_id'], f.configJson['eos_token_id']]) {
    if (typeof raw === 'number') return [raw];
    if (Array.isArray(raw) && raw.every((x) => typeof x === 'number')) return raw as number[];
  }
  return tokenizer.eosTokenId === undefined ? [] : [tokenizer.eosTokenId];
}
