/**
 * The rollout port for RL on the offline pool, the one composition the browser's Train view
 * (worker/trainRuntime.ts), `cli train` and `cli train-default` share, so a browser run and a CLI run
 * of the same configuration build the same episodes:
 *
 *   question → compact prompt over the bank's pool → runEpisode with a language-model policy over the
 *   model of the moment (sampling with the rollout's own rng, decoding as the folder asks) and the
 *   bank's recorded replies as candidates → trajectory + the learner's token view
 *
 * Must not: load models or banks, read clocks or globals (the hosts inject `model`, `now`), or know
 * about weight sync beyond reading `model()` once per rollout.
 */
import type { EnvSettings } from '../env/trajectory';
import type { OfflineBank } from '../offline/offlineBank';
import { createOfflineCaller } from '../offline/offlineCaller';
import { offlinePoolModels } from '../offline/offlinePool';
import { folderDecodingProcessors, type FolderDecoding } from '../policy/folderDecoding';
import type { LanguageModel } from '../policy/languageModel';
import { createLanguageModelPolicy } from '../policy/languageModelPolicy';
import type { Tokenizer } from '../policy/ports';
import type { SamplingParams } from '../policy/sampling';
import type { ChatFraming } from '../policy/tokenizedChat';
import { renderCompactPromptForPool } from '../protocol/prompt';
import { createEpisodeRollout } from './episodeRollout';
import type { RolloutPort } from './rollouts';

export interface OfflinePoolRolloutOptions {
  bank: OfflineBank;
  tokenizer: Tokenizer;
  /** How the prompt is framed for the model (the compact template: usually NO_CHAT_FRAMING). */
  framing: ChatFraming;
  /** The model rollouts generate with now; read once per rollout, so a weight sync takes effect at the next one. */
  model: () => LanguageModel;
  /** Trajectory.policy.id of every rollout (the run id or variant name). */
  policyId: string;
  sampling: SamplingParams & { seed: number };
  /** The folder's router.json decoding (protocol grammar, extractive spans over the pool's names); NO_FOLDER_DECODING for none. */
  decoding: FolderDecoding;
  /** The tokenizer's vocabulary size (padded model ids are masked). */
  tokenizerVocabSize: number;
  agentTemplate: string;
  settings: EnvSettings;
  now: () => number;
}

export function createOfflinePoolRollout(o: OfflinePoolRolloutOptions): RolloutPort {
  const pool = offlinePoolModels(o.bank);
  // the trainer's log-probs are the model's own (before processors), so decoding only shapes exploration
  const processors = folderDecodingProcessors(o.tokenizer, o.decoding, pool.map((m) => m.name));
  return createEpisodeRollout({
    tokenizer: o.tokenizer,
    caller: createOfflineCaller(o.bank),
    framing: o.framing,
    now: o.now,
    policy: (rng) => createLanguageModelPolicy(o.model(), o.tokenizer, { id: o.policyId, sampling: o.sampling, rng, processors, framing: o.framing, tokenizerVocabSize: o.tokenizerVocabSize, now: o.now }),
    request: (question, id) => ({
      id,
      question,
      template: 'compact',
      prompt: renderCompactPromptForPool(pool, question.text),
      pool: pool.map((m) => ({ ...m })),
      agentTemplate: o.agentTemplate,
      settings: { ...o.settings },
    }),
  });
}
