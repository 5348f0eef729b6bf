/**
 * What the rest of the app sees of the offline bank: the simulated pool models (as PoolModelRecords)
 * and the bank questions for the question picker (as QuestionRecords, dataset 'offline-nq' /
 * 'offline-triviaqa'). Plain data only.
 */
import { isHeldOutQuestion } from '../eval/heldOut';
import type { PoolModelRecord, QuestionRecord } from '../env/trajectory';
import { REFERENCE_MODEL_IDS } from '../protocol/modelNames';
import { OFFLINE_DATASETS, type OfflineBank, type OfflineSplit, type OfflineTask } from './offlineBank';

export const OFFLINE_PROVIDER = 'offline';

const REFERENCE_IDS = new Set<string>(Object.values(REFERENCE_MODEL_IDS));

/**
 * One record per scored model: provider 'offline', providerModelId = the bank name, prices from
 * default_llm.json, simulated. referenceId is set only when the NIM id is one of the paper's ids.
 */
export function offlinePoolModels(bank: OfflineBank): PoolModelRecord[] {
  return bank.models.map((m) => {
    const record: PoolModelRecord = {
      name: m.name,
      provider: OFFLINE_PROVIDER,
      providerModelId: m.name,
      inputPer1M: m.inputPer1M,
      outputPer1M: m.outputPer1M,
      simulated: true,
    };
    if (REFERENCE_IDS.has(m.nimId)) record.referenceId = m.nimId;
    return record;
  });
}

export interface OfflineQuestionFilter {
  split?: OfflineSplit;
  task?: OfflineTask;
  /** 'exclude': leave out the held-out questions (eval/heldOut.ts) — what every training run must do; 'only': just them. */
  heldOut?: 'exclude' | 'only';
}

/** Bank questions for the question picker, in bank order. */
export function offlineBankQuestions(bank: OfflineBank, filter: OfflineQuestionFilter = {}): QuestionRecord[] {
  return bank.questions
    .filter((q) => (filter.split === undefined || q.split === filter.split) && (filter.task === undefined || q.task === filter.task))
    .filter((q) => filter.heldOut === undefined || isHeldOutQuestion(q.id) === (filter.heldOut === 'only'))
    .map((q) => ({ id: q.id, dataset: OFFLINE_DATASETS[q.task], text: q.question, goldAnswers: [...q.goldAnswers] }));
}
