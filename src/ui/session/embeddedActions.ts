/**
 * The embedded default policies (DESIGN.md §6) in the app: on first load the router policy
 * mode opens on the index's default variant (public/models/embedded.json) with the offline pool, no keys
 * and no clicks; "Run a sample question" runs a bank question end to end; the α control sets the reward
 * α and the cost-aware decoding bias, and — while an embedded variant is the selected policy — switches
 * to the variant trained for the nearest α. A model the user loaded is never replaced.
 *
 * A failure to open the default says why and falls back to "you are the router". Must not: read an
 * engine stream or fetch (the index reader is injected from main.tsx).
 */
import { costBiasStrengthForAlpha, parseEmbeddedIndex, splitQuestions, variantForAlpha, type EmbeddedIndex, type LoadedModelInfo, type QuestionRecord, type Trajectory } from '../../core';
import type { AppStore } from '../store/appStore';
import { LOAD_CANCELLED } from '../store/bindModel';

export interface EmbeddedActionsDeps {
  store: AppStore;
  /** Reads public/models/embedded.json as JSON (main.tsx binds the page's fetch); absent: no embedded default. */
  readIndex?: () => Promise<unknown>;
  loadEmbedded: (name: string) => Promise<LoadedModelInfo | null>;
  startModelEpisode: () => Promise<Trajectory | null>;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The sample questions: the offline bank's held-out ones (no embedded policy trained on them), else all. */
export function sampleQuestions(bank: readonly QuestionRecord[]): QuestionRecord[] {
  const heldOut = splitQuestions(bank, 'heldout');
  return heldOut.length > 0 ? heldOut : [...bank];
}

export function createEmbeddedActions(deps: EmbeddedActionsDeps) {
  const s = deps.store.getState;
  let samplesRun = 0;

  function fallBack(why: string): void {
    s().setEmbeddedError(`The embedded router policy could not be opened: ${why} You are the router instead; "Model policy" can load another model.`);
    if (s().mode === 'model') s().setMode('human');
  }

  /** α in the run config (the reward) and λ = 4α for the cost-aware decoding bias. */
  function applyAlpha(alpha: number): number {
    const a = Math.min(1, Math.max(0, Number.isFinite(alpha) ? alpha : 0));
    s().setRunConfig({ ...s().runConfig, alpha: a });
    s().setCostBiasStrength(costBiasStrengthForAlpha(a));
    return a;
  }

  return {
    /** First load without a share link: the router policy mode on the default variant and the offline pool. */
    async openEmbeddedDefault(): Promise<LoadedModelInfo | null> {
      if (deps.readIndex === undefined) return null;
      s().setMode('model');
      s().setModelSource('embedded');
      s().setEmbeddedIndex({ status: 'loading' });
      let index: EmbeddedIndex;
      try {
        index = parseEmbeddedIndex(await deps.readIndex());
      } catch (err) {
        const error = `models/embedded.json could not be read (${message(err)}).`;
        s().setEmbeddedIndex({ status: 'failed', error });
        fallBack(error);
        return null;
      }
      s().setEmbeddedIndex({ status: 'ready', index });
      const variant = index.variants.find((v) => v.name === index.default) ?? variantForAlpha(index, 0);
      if (variant === null) {
        fallBack('models/embedded.json lists no variant.'); // parseEmbeddedIndex refuses such an index
        return null;
      }
      // The α control starts at the default's α, so the reward, the bias and the running variant agree.
      applyAlpha(variant.alpha);

      s().setEmbeddedName(variant.name);
      const info = await deps.loadEmbedded(variant.name);
      const load = s().modelLoad;
      // Replaced by another load, or cancelled by the user: nothing to fall back from.
      if (info === null && load.status === 'failed' && load.error !== LOAD_CANCELLED && s().embeddedVariant === variant.name) {
        fallBack(`${variant.name} did not load (${load.error})`);
      }
      return info;
    },

    /**
     * The α control: the reward's cost weight and the decoding bias; with an embedded variant selected,
     * the variant trained for the nearest α (loaded from the model cache when it was loaded before).
     */
    setAlpha(alpha: number): Promise<LoadedModelInfo | null> {
      const a = applyAlpha(alpha);
      const { embeddedVariant, embeddedIndex } = s();
      if (embeddedVariant === null || embeddedIndex.status !== 'ready') return Promise.resolve(null);
      const next = variantForAlpha(embeddedIndex.index, a);
      if (next === null || next.name === embeddedVariant) return Promise.resolve(null);
      s().setEmbeddedName(next.name);
      return deps.loadEmbedded(next.name);
    },

    /** One click: the next held-out bank question, run by the selected policy with rounds streaming in. */
    async runSampleQuestion(): Promise<Trajectory | null> {
      const list = s().questionLists['offline'];
      if (list?.status !== 'ready' || list.items.length === 0) {
        s().episodeEnded('The offline question bank is not loaded yet; check the data root (?dataRoot=).');
        return null;
      }
      const pool = sampleQuestions(list.items);
      const question = pool[samplesRun++ % pool.length] as QuestionRecord;
      s().setDataset('offline');
      s().pickQuestion(question);
      return deps.startModelEpisode();
    },
  };
}
