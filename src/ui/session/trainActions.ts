/**
 * The Train view's commands: turn the form into a TrainConfig (validated by core's validateTrainConfig),
 * start / pause / single-step / resume a run in the worker — its event stream goes to its binder
 * (store/bindTraining.ts) — and manage checkpoints (list, delete, export as a file, import, use as the
 * policy). Must not: read an engine stream itself or keep engine objects in the store.
 */
import { createTrainConfig, DEFAULT_ENV_SETTINGS, DEFAULT_TRAIN_CONFIG, TINY_ROUTER_NAME, validateTrainConfig, type EnvSettings, type LoadedModelInfo, type ModelRef, type TrainConfig, type TrainEngine, type TrainRunEvent, type TrainPolicyRef, type TrainStartRequest } from '../../core';
import type { AppStore } from '../store/appStore';
import { runTrainingIntoStore } from '../store/bindTraining';
import type { FrameScheduler } from '../store/frameBatcher';
import { TRAIN_POLICY_LOADED, TRAIN_POLICY_WARMUP_MIX, WARMUP_MIX, type TrainForm } from '../store/trainSlice';

/** Rollout episodes sized for the tiny router's 512 positions (as cli/train/examples/tiny.json). */
export const TRAIN_ROLLOUT_SETTINGS: EnvSettings = { maxTurns: 2, maxPromptTokens: 160, maxNewTokens: 24, maxObservationTokens: 48, maxContextTokens: 400, invalidActionNotice: false };
/**
 * Rollout episodes of the other embedded policies (router-nano-*, 8,192 positions): the reference settings
 * with 160-token turns, as their RL stage in train-default (cli/trainDefault/variantRl.ts).
 */
export const EMBEDDED_TRAIN_ROLLOUT_SETTINGS: EnvSettings = { ...DEFAULT_ENV_SETTINGS, maxNewTokens: 160 };

/**
 * The rollout settings for a policy: the tiny router's for it, the embedded policies' for the others; a
 * checkpoint (loaded in "Model policy") by its model's positions (the tiny router has 512).
 */
export function trainRolloutSettings(policy: TrainPolicyRef, loaded: LoadedModelInfo | null = null): EnvSettings {
  if (policy.kind === 'embedded-mix') return EMBEDDED_TRAIN_ROLLOUT_SETTINGS;
  if (policy.kind === 'embedded') return policy.name === TINY_ROUTER_NAME ? TRAIN_ROLLOUT_SETTINGS : EMBEDDED_TRAIN_ROLLOUT_SETTINGS;
  return loaded !== null && loaded.config.maxPositions > EMBEDDED_TRAIN_ROLLOUT_SETTINGS.maxContextTokens ? EMBEDDED_TRAIN_ROLLOUT_SETTINGS : TRAIN_ROLLOUT_SETTINGS;
}

export interface TrainActionsDeps {
  /** Absent where there is no worker (view-only tests): the actions then say so. */
  engine: TrainEngine | undefined;
  store: AppStore;
  dataRoot: string;
  baseUrl: string;
  /** Loads a model ref as the episode policy (modelActions). */
  loadModel: (ref: ModelRef) => Promise<LoadedModelInfo | null>;
  newRunId?: () => string;
  saveFile?: (fileName: string, bytes: Uint8Array) => void;
  schedule?: FrameScheduler;
}

/** The run's TrainConfig from the form (minibatch = the whole step: one update per step). */
export function trainConfigFromForm(f: TrainForm, runId: string): TrainConfig {
  return createTrainConfig({
    runId,
    seed: f.seed,
    steps: f.steps,
    questionsPerStep: f.batch,
    groupSize: f.groupSize,
    algorithm: f.algorithm,
    alpha: f.alpha,
    minibatchSize: Math.max(1, f.batch * f.groupSize),
    loss: { ...DEFAULT_TRAIN_CONFIG.loss, klCoef: f.klCoef },
    schedule: { kind: 'constant', lr: f.lr, warmupSteps: 0 },
    checkpointEvery: f.checkpointEvery,
    samplesPerStep: 2,
  });
}

/** Which weights the form trains (an embedded folder by name, the two warm-ups mixed, or the loaded model), or why it cannot. */
export function trainPolicyRef(f: TrainForm, loaded: LoadedModelInfo | null, baseUrl: string): TrainPolicyRef | string {
  if (f.policy === TRAIN_POLICY_WARMUP_MIX) return { kind: 'embedded-mix', ...WARMUP_MIX, baseUrl };
  if (f.policy !== TRAIN_POLICY_LOADED) return { kind: 'embedded', name: f.policy, baseUrl };
  if (loaded === null) return 'No model is loaded: load one in "Model policy", or train the tiny-router.';
  const r = loaded.ref;
  if (r.kind === 'checkpoint' || r.kind === 'embedded') return r;
  return `The loaded model (${loaded.name}) cannot be trained in the browser yet: only the embedded policies (${TINY_ROUTER_NAME}, router-nano-…) and their checkpoints can.`;
}

/** Every problem of the form (empty when it can start). */
export function trainFormErrors(f: TrainForm, loaded: LoadedModelInfo | null, baseUrl: string): string[] {
  const errors = validateTrainConfig(trainConfigFromForm(f, 'preview'));
  if (!(f.lr > 0)) errors.push(`lr must be > 0, got ${f.lr}.`);
  if (!(f.temperature > 0) || !Number.isFinite(f.temperature)) errors.push(`temperature must be > 0 (at 0 every rollout of a group is the same: nothing to learn), got ${f.temperature}.`);
  const ref = trainPolicyRef(f, loaded, baseUrl);
  if (typeof ref === 'string') errors.push(ref);
  return errors;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function domSave(fileName: string, bytes: Uint8Array): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function createTrainActions(deps: TrainActionsDeps) {
  const { store } = deps;
  const s = store.getState;
  let counter = 0;
  const newRunId = deps.newRunId ?? (() => `run-${++counter}`);
  const engine = (): TrainEngine => {
    if (deps.engine === undefined) throw new Error('Training needs the engine worker; this page has none.');
    return deps.engine;
  };

  /** Hands a run's stream to its binder, then lists the checkpoints it stored. */
  async function consume(events: () => AsyncIterable<TrainRunEvent>): Promise<void> {
    await runTrainingIntoStore(events, store, deps.schedule === undefined ? {} : { schedule: deps.schedule });
    await refreshCheckpoints();
  }

  function startRequest(): TrainStartRequest | null {
    const { trainForm: f, modelInfo, runConfig } = s();
    const errors = trainFormErrors(f, modelInfo, deps.baseUrl);
    const policy = trainPolicyRef(f, modelInfo, deps.baseUrl);
    if (errors.length > 0 || typeof policy === 'string') {
      s().trainFailed(errors.join(' '));
      return null;
    }
    // the form's rollout temperature (RL explores at 1 whatever the episode view samples at); top-p / top-k from the run's sampling
    const { topP, topK } = runConfig.sampling;
    return { config: trainConfigFromForm(f, newRunId()), policy, preferredDevice: f.device, settings: { ...trainRolloutSettings(policy, modelInfo) }, sampling: { temperature: f.temperature, topP, topK }, dataRoot: deps.dataRoot };
  }

  const resumeRequest = (checkpointId: string) => ({ checkpointId, dataRoot: deps.dataRoot, preferredDevice: s().trainForm.device });

  async function refreshCheckpoints(): Promise<void> {
    try {
      s().setTrainCheckpoints(await engine().listCheckpoints());
    } catch {
      // no storage (or no worker): the list stays as it is
    }
  }

  return {
    refreshTrainCheckpoints: refreshCheckpoints,
    async startTraining(): Promise<void> {
      const req = startRequest();
      if (req !== null) await consume(() => engine().startTraining(req));
    },
    async pauseTraining(): Promise<void> {
      s().trainPausing();
      await engine().pauseTraining().catch((err: unknown) => s().trainFailed(message(err)));
    },
    /** One step: of the selected checkpoint's run when there is one, else of a fresh run from the form. */
    async stepTraining(): Promise<void> {
      const id = s().trainSelectedCheckpoint;
      if (id !== null) return consume(() => engine().stepTraining({ kind: 'resume', resume: resumeRequest(id) }));
      const req = startRequest();
      if (req !== null) await consume(() => engine().stepTraining({ kind: 'start', start: req }));
    },
    async resumeTraining(checkpointId = s().trainSelectedCheckpoint): Promise<void> {
      if (checkpointId === null) return;
      await consume(() => engine().resumeTraining(resumeRequest(checkpointId)));
    },
    async deleteTrainCheckpoint(id: string): Promise<void> {
      await engine().deleteCheckpoint(id);
      await refreshCheckpoints();
    },
    async exportTrainCheckpoint(id: string): Promise<void> {
      try {
        const file = await engine().exportCheckpoint(id);
        (deps.saveFile ?? domSave)(file.fileName, file.bytes);
      } catch (err) {
        s().trainFailed(message(err));
      }
    },
    async importTrainCheckpoint(file: { name: string; arrayBuffer(): Promise<ArrayBuffer> }): Promise<void> {
      try {
        const info = await engine().importCheckpoint(new Uint8Array(await file.arrayBuffer()), file.name);
        await refreshCheckpoints();
        s().selectTrainCheckpoint(info.id);
      } catch (err) {
        s().trainFailed(message(err));
      }
    },
    /** The checkpoint as the episode policy: its q4 folder is built in the worker and loaded in "Model policy". */
    async useCheckpointAsPolicy(id: string): Promise<LoadedModelInfo | null> {
      try {
        const ref = await engine().usePolicy(id);
        s().setMode('model');
        return await deps.loadModel(ref);
      } catch (err) {
        s().trainFailed(message(err));
        return null;
      }
    },
    /**
     * A chart point was clicked (or one of its samples chosen): that step's sample `sample` in the timeline,
     * shown whole, as the Evaluate view opens an episode; the view stays on Train. False when the step's
     * samples are not kept (older than the last MAX_SAMPLE_STEPS steps, or from before a resume).
     */
    showTrainStep(step: number, sample = 0): boolean {
      const t = s().trainSamples.find((x) => x.step === step)?.trajectories[sample];
      s().trainSamplePicked(step, t === undefined ? null : sample);
      if (t === undefined) return false;
      s().loadTrajectory(t, 'imported');
      s().episodeEnded(null);
      s().stepToEnd();
      return true;
    },
  };
}
