/**
 * The run spec of the Evaluate view's settings: the same spec the CLI's `eval --dataset offline --split
 * heldout --limit N …` builds for the same flags, so the numbers match. Questions come from the store
 * (loaded once through the engine), methods from evalMethods.ts. Must not: run or estimate the run.
 */
import { isQaDatasetId, splitQuestions, type Engine, type EvalRunSpec, type QuestionRecord, type ReferenceData } from '../../core';
import type { AppStore } from '../store/appStore';
import type { EvalSettings } from '../store/evalSlice';
import { embeddedVariantsOf, embeddedWarmupsOf } from './evalEmbedded';
import { LOADED_POLICY_ID, methodSpecs } from './evalMethods';
import { EvalSetupError } from './evalSaved';
import { settingsForModel } from './modelActions';

export interface EvalSpecDeps {
  engine: Engine;
  store: AppStore;
  dataRoot: string;
  reference: () => Promise<ReferenceData | null>;
}

async function questionsFor(d: EvalSpecDeps, dataset: string): Promise<QuestionRecord[]> {
  const s = d.store.getState;
  if (dataset === 'offline' || dataset === 'offline-heldout') {
    const list = s().questionLists['offline'];
    if (list?.status !== 'ready') throw new EvalSetupError(list?.status === 'failed' ? `The offline pool did not load: ${list.error}` : 'The offline pool is still loading; try again in a moment.');
    return dataset === 'offline' ? list.items : splitQuestions(list.items, 'heldout');
  }
  if (!isQaDatasetId(dataset)) throw new EvalSetupError(`Unknown dataset "${dataset}".`);
  const list = s().questionLists[dataset];
  if (list?.status === 'ready') return list.items;
  const items = await d.engine.loadQuestions(dataset, { dataRoot: d.dataRoot });
  s().setQuestionList(dataset, { status: 'ready', items });
  return items;
}

export async function buildEvalSpec(d: EvalSpecDeps, settings: EvalSettings): Promise<EvalRunSpec> {
  const s = d.store.getState;
  const pool = s().models.map((m) => ({ ...m }));
  if (pool.length === 0) throw new EvalSetupError('The pool has no model; add at least one (or pick the offline pool) before evaluating.');
  const methods = methodSpecs(settings.methods, pool, s().modelInfo, embeddedVariantsOf(d.store), settings.alpha, embeddedWarmupsOf(d.store));
  if (methods.length === 0) throw new EvalSetupError('Pick at least one method that fits this pool.');
  const questions = (await questionsFor(d, settings.dataset)).slice(0, settings.limit);
  const ref = await d.reference();
  if (ref === null) throw new EvalSetupError('The reference texts (candidate prompt) did not load from the data root; check the data root (?dataRoot=).');
  const model = s().modelInfo;
  // The loaded model's limits apply to the whole run; embedded variants are fitted per episode into
  // their own positions by core (runEvaluation's contextCapacity), as in the CLI.
  const hasPolicy = methods.some((m) => m.kind === 'policy' && m.id === LOADED_POLICY_ID);
  const base = s().runConfig.settings;
  return {
    id: `eval-${settings.dataset}-s${settings.seed}`,
    dataset: settings.dataset,
    questions,
    pool,
    methods,
    agentTemplate: ref.agentPrompt,
    settings: hasPolicy && model !== null ? settingsForModel(base, model, s().modelMaxNewTokens) : { ...base },
    alpha: settings.alpha,
    seed: settings.seed,
    limits: { maxCalls: settings.maxCalls, maxSpendUsd: settings.maxSpendUsd },
    sampling: { ...s().runConfig.sampling, seed: settings.seed },
  };
}
