/**
 * Greedy episodes of a model folder's q4 decoder on offline-bank questions (onnxruntime-node, the
 * offline pool, the reference environment settings), summarised with the evaluation core's row
 * functions: what train-default reports during training and writes into the model card.
 */
import { folderDecodingOf } from '../../core/model/routerJson';
import { folderDecodingProcessors } from '../../core/policy/folderDecoding';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toQuestionRecord } from '../../core/defaultPolicy/corpus';
import { DEFAULT_ENV_SETTINGS, type Trajectory } from '../../core/env/trajectory';
import { rowOf, summarizeMethod } from '../../core/eval/evalRows';
import type { OfflineBank, OfflineQuestion } from '../../core/offline/offlineBank';
import { createOfflineCaller } from '../../core/offline/offlineCaller';
import { offlinePoolModels } from '../../core/offline/offlinePool';
import { createLanguageModelPolicy } from '../../core/policy/languageModelPolicy';
import { DEFAULT_AGENT_TEMPLATE, renderCompactPromptForPool } from '../../core/protocol/prompt';
import { createCostWindow } from '../../core/reward/costReward';
import { runEpisodeToEnd } from '../../core/run/runEpisode';
import { createNodeLanguageModel } from '../../adapters/node/nodeLanguageModel';
import type { PolicySummary } from '../eval/policyEval';
import { loadTrainModel } from '../train/trainSetup';

export interface GreedyEvalOptions {
  alpha: number;
  now: () => number;
  threads?: number;
  onTrajectory?: (t: Trajectory) => void;
}

export async function evaluateFolderGreedy(dir: string, bank: OfflineBank, questions: readonly OfflineQuestion[], o: GreedyEvalOptions): Promise<PolicySummary> {
  const m = await loadTrainModel(dir);
  const lm = await createNodeLanguageModel(readFileSync(join(dir, 'onnx/model_q4.onnx')), { intraOpThreads: o.threads ?? 2, eosTokenIds: m.eosTokenIds, vocabSize: m.config.vocabSize });
  try {
    const pool = offlinePoolModels(bank);
    const caller = createOfflineCaller(bank);
    const costWindow = createCostWindow();
    const rows = [];
    const decoding = folderDecodingProcessors(m.tokenizer, folderDecodingOf(m.folder.router), pool.map((p) => p.name));
    for (const [i, q] of questions.entries()) {
      const policy = createLanguageModelPolicy(lm, m.tokenizer, { processors: decoding, id: dir, sampling: { temperature: 0, topP: 1, topK: 0, seed: 0 }, framing: m.framing, tokenizerVocabSize: m.folder.tokenizerVocabSize, now: o.now });
      const t = await runEpisodeToEnd(
        { id: `greedy.${q.id}`, question: toQuestionRecord(q), template: 'compact', prompt: renderCompactPromptForPool(pool, q.question), pool: pool.map((p) => ({ ...p })), agentTemplate: DEFAULT_AGENT_TEMPLATE, settings: { ...DEFAULT_ENV_SETTINGS }, alpha: o.alpha },
        { policy, caller, tokenizer: m.tokenizer, costWindow, now: o.now },
      );
      o.onTrajectory?.(t);
      rows.push(rowOf(t, 'policy', i, t.question.dataset ?? 'offline'));
    }
    const s = summarizeMethod('policy', rows);
    return { n: s.questions, em: s.em, f1: s.f1, cost: s.costUnits, calls: s.calls, format_valid: s.formatValidRate, routing_share: s.routingShare };
  } finally {
    await lm.dispose();
  }
}
