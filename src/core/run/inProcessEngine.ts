/**
 * The Engine in the calling thread (Node tests, the CLI, inside the worker). It owns what lives for a
 * session: the cost window shared by every episode it scores, in order (DESIGN.md §2.4), the spending cap
 * and response cache of HTTP calls, and the human turns in flight. It turns plain-data specs into policy
 * and candidate ports; the data roots' contents come from an injected DataRootCache (shared with the
 * worker's training runtime).
 * Must not: record or log a key, or decide the teacher's trust (core/defaultPolicy/teacher.ts does).
 */
import type { CallLimits, CandidateSpec, ConnectionTestRequest, ConnectionTestResult, Engine, EngineEpisodeRequest, EngineEvalRequest, ModelLoadEvent, PolicySpec, ReferenceData } from '../engine';
import { createEventChannel } from './eventChannel';
import type { PoolModelRecord } from '../env/trajectory';
import { EvalMethodError } from '../eval/methodIds';
import { estimateRun } from '../eval/estimateRun';
import { runEvaluation, type EvalDeps } from '../eval/runEvaluation';
import { recordedScoresOf } from '../offline/matchBankQuestion';
import { bankTeacherTrust } from '../defaultPolicy/teacher';
import { parseSizeB } from '../offline/offlineCaller';
import { renderCompactPromptForPool, renderPrompt } from '../protocol/prompt';
import { DataRootError, loadAgentPrompt, loadReferenceTemplate, DATA_PATHS, type DataRoot } from '../data/dataRoot';
import type { DataRootCache } from '../data/dataRootCache';
import { loadQaDataset } from '../data/qaDatasets';
import { assertNever } from '../math/assertNever';
import type { OfflineBank } from '../offline/offlineBank';
import { createOfflineCaller } from '../offline/offlineCaller';
import { OFFLINE_PROVIDER, offlineBankQuestions, offlinePoolModels } from '../offline/offlinePool';
import { createByteTokenizer } from '../tokenizer/byteTokenizer';
import { CandidateCallError, type CandidateCaller, type Policy } from '../policy/ports';
import type { SetTimer } from '../providers/abortControl';
import type { FetchLike, Sleep } from '../providers/fetchPort';
import { createHttpCandidateCaller } from '../providers/httpCandidateCaller';
import { LLMROUTER_CANDIDATES_PATH, llmRouterPoolPreset, paperPoolPreset } from '../providers/poolPresets';
import { createMemoryResponseCache } from '../providers/responseCache';
import { createSpendingCap } from '../providers/spendingCap';
import { createCostWindow, type CostWindow } from '../reward/costReward';
import { forkPorts } from './fork';
import { createHumanPolicy, NoTurnPendingError, type HumanPolicy } from './humanPolicy';
import { createPolicyModels, NoPolicyRuntimeError, type PolicyRuntime } from './policyModels';
import { createReplayCaller, createReplayPolicy } from './replay';
import { runEpisode } from './runEpisode';
import { createScriptedCaller, createScriptedPolicy } from './scripted';
import { withTokenEvents, type TokenSink } from './withTokenEvents';
import type { Tokenizer } from '../policy/ports';

export interface InProcessEngineDeps {
  /** Milliseconds from any origin (injected: core never reads a clock itself). */
  now: () => number;
  costWindow?: CostWindow;
  /**
   * Opens data roots by location (a URL in the browser, a directory in Node) and reads each one's offline
   * bank once; the worker's is shared with its training runtime.
   */
  dataRoots?: DataRootCache;
  /** The location used when a request names none. */
  defaultDataRoot?: string;
  /** For HTTP candidates: the fetch port, the backoff sleep, and epoch ms for Retry-After dates. */
  fetch?: FetchLike;
  sleep?: Sleep;
  /** Drives call timeouts (default: from sleep). Tests with an instant sleep pass one that never fires. */
  setTimer?: SetTimer;
  wallClockMs?: () => number;
  /** True in a browser: a network failure there is most likely CORS, and is explained as such. */
  corsPossible?: boolean;
  /** Loads model policies (PolicySpec 'onnx') and manages the model cache; absent in Node tests and the CLI. */
  policyRuntime?: PolicyRuntime;
}

/** The prompt of "Test connection": tiny, so the check costs next to nothing. */
const CONNECTION_TEST_PROMPT = 'Reply with the single word OK.';

export function createInProcessEngine(deps: InProcessEngineDeps): Engine {
  const costWindow = deps.costWindow ?? createCostWindow();
  // Human-driven episodes in flight, by episode id, so submitTurn can reach their policy.
  const humans = new Map<string, TurnInbox>();
  const spendingCap = createSpendingCap(Number.POSITIVE_INFINITY);
  const responseCache = createMemoryResponseCache();
  const dataRoots = deps.dataRoots;
  const models = createPolicyModels(deps.policyRuntime);
  const runtime = (): PolicyRuntime => {
    if (deps.policyRuntime === undefined) throw new NoPolicyRuntimeError();
    return deps.policyRuntime;
  };

  /** The policy port of a spec and the tokenizer the environment counts in (the model's own, for a model). */
  async function portsFor(req: EngineEpisodeRequest, sink: TokenSink, signal: AbortSignal | undefined): Promise<{ policy: Policy; tokenizer: Tokenizer }> {
    if (req.policy.kind !== 'onnx') return { policy: policyFor(req.policy), tokenizer: createByteTokenizer() };
    return models.policyFor(req.policy, {
      pool: req.episode.pool,
      now: deps.now,
      ...(signal === undefined ? {} : { signal }),
      onToken: (e, r) => sink.push({ type: 'round.token', roundIndex: r.roundIndex, text: e.text, tokenId: e.id, logProb: e.logProb }),
    });
  }

  /** The request's data root, else the default one. */
  function rootLocation(location: string | undefined): { where: string; roots: DataRootCache } {
    const where = location ?? deps.defaultDataRoot;
    if (where === undefined || dataRoots === undefined) {
      throw new DataRootError('No data root is configured: the offline pool and the datasets are read from one. Set the data root (e.g. the app\'s ./data/ or ../shared/data).');
    }
    return { where, roots: dataRoots };
  }

  function dataRoot(location: string | undefined): DataRoot {
    const { where, roots } = rootLocation(location);
    return roots.open(where);
  }

  function bank(location: string | undefined): Promise<OfflineBank> {
    const { where, roots } = rootLocation(location);
    return roots.bank(where);
  }

  /** `session`: use the session's cache and spending cap, and retry (episodes); a connection test does neither. */
  function httpCaller(providers: Extract<CandidateSpec, { kind: 'http' }>['providers'], keys: Record<string, string>, session = true, limits: CallLimits = {}): CandidateCaller {
    if (deps.fetch === undefined || deps.sleep === undefined) throw new DataRootError('This engine was built without fetch and sleep; HTTP candidates need both.');
    return createHttpCandidateCaller({
      providers,
      getKey: (id) => keys[id],
      fetch: deps.fetch,
      sleep: deps.sleep,
      now: deps.now,
      ...(deps.wallClockMs === undefined ? {} : { wallClockMs: deps.wallClockMs }),
      ...(deps.setTimer === undefined ? {} : { setTimer: deps.setTimer }),
      ...(session ? { cache: responseCache, spendingCap } : { retry: { maxAttempts: 1 } }),
      ...(limits.timeoutMs === undefined ? {} : { timeoutMs: limits.timeoutMs }),
      ...(limits.roundDeadlineMs === undefined ? {} : { roundDeadlineMs: limits.roundDeadlineMs }),
      corsPossible: deps.corsPossible === true,
    });
  }

  async function callerFor(spec: CandidateSpec, req: { dataRoot?: string; episode: { pool: readonly PoolModelRecord[] } }): Promise<CandidateCaller> {
    switch (spec.kind) {
      case 'replay':
        return createReplayCaller(spec.trajectory);
      case 'scripted':
        return createScriptedCaller(spec.replies);
      case 'offline':
        return createOfflineCaller(await bank(req.dataRoot));
      case 'http': {
        spendingCap.setLimit(spec.spendingCapUsd ?? Number.POSITIVE_INFINITY);
        const http = httpCaller(spec.providers, spec.keys, true, spec.limits);
        const usesOffline = req.episode.pool.some((m) => m.provider === OFFLINE_PROVIDER);
        const offline = usesOffline ? createOfflineCaller(await bank(req.dataRoot)) : undefined;
        return { call: (r, o) => (offline !== undefined && r.model.provider === OFFLINE_PROVIDER ? offline.call(r, o) : http.call(r, o)) };
      }
      default:
        return assertNever(spec, 'candidate spec');
    }
  }

  /** The teacher method's trust per model (teacher.ts, as the CLI's evalSetup), once per bank. */
  const teacherTrusts = new WeakMap<OfflineBank, Readonly<Record<string, number>> | null>();
  function teacherTrustOf(b: OfflineBank): Readonly<Record<string, number>> | null {
    let trust = teacherTrusts.get(b);
    if (trust === undefined) {
      trust = bankTeacherTrust(b);
      teacherTrusts.set(b, trust);
    }
    return trust;
  }

  /**
   * What an evaluation needs besides the caller: the offline bank's scores (oracle), sizes (largest)
   * and training-question accuracies (the teacher's trust, as the CLI's evalSetup computes them), and
   * the onnx policies.
   */
  async function evalDeps(req: Omit<EngineEvalRequest, 'candidates' | 'resume'>): Promise<Omit<EvalDeps, 'caller' | 'now'>> {
    const pool = req.spec.pool;
    const teacher = req.spec.methods.some((m) => m.kind === 'teacher');
    // A live pool's teacher still trusts the bank's models by name (the CLI loads the bank for every run); no bank: prices only.
    const b = pool.some((m) => m.provider === OFFLINE_PROVIDER) ? await bank(req.dataRoot) : undefined;
    const trustBank = b ?? (teacher ? await bank(req.dataRoot).catch(() => undefined) : undefined);
    const sizesB: Record<string, number> = {};
    for (const m of b?.models ?? []) {
      const size = parseSizeB(m.size);
      if (size !== undefined) sizesB[m.name] = size;
    }
    const out: Omit<EvalDeps, 'caller' | 'now'> = { sizesB };
    // The oracle knows recorded scores, which only the offline pool has (as the CLI's evalSetup).
    if (b !== undefined && pool.every((m) => m.provider === OFFLINE_PROVIDER)) {
      out.recordedScores = (q) => recordedScoresOf(b, q);
    }
    const trust = teacher && trustBank !== undefined ? teacherTrustOf(trustBank) : null;
    if (trust !== null) out.teacherTrust = trust;
    const policies = req.policies;
    if (policies !== undefined) {
      out.policyFor = async (m, ctx) => {
        const spec = policies[m.id];
        if (spec === undefined) throw new EvalMethodError(`policy:${m.id} has no model in the request; load a model first.`);
        const { policy, tokenizer, contextCapacity, info } = await models.policyFor({ ...spec, sampling: { ...spec.sampling, seed: ctx.seed } }, { pool: ctx.pool, now: deps.now, ...(ctx.signal === undefined ? {} : { signal: ctx.signal }), onToken: () => undefined });
        const template = info.template;
        const prompt = template === 'compact' ? renderCompactPromptForPool(ctx.pool, ctx.question.text) : renderPrompt(await loadReferenceTemplate(dataRoot(req.dataRoot), template), ctx.question.text);
        // The episode's limits are fitted into the model's positions, as the CLI's policy host does.
        return { policy, tokenizer, template, prompt, contextCapacity };
      };
    }
    return out;
  }

  return {
    async *runEvaluation(req: EngineEvalRequest, opts?: { signal?: AbortSignal; pauseSignal?: AbortSignal }) {
      const caller = await callerFor(req.candidates, { ...(req.dataRoot === undefined ? {} : { dataRoot: req.dataRoot }), episode: { pool: req.spec.pool } });
      const extra = await evalDeps(req);
      const stops = { ...(opts?.signal === undefined ? {} : { signal: opts.signal }), ...(opts?.pauseSignal === undefined ? {} : { pauseSignal: opts.pauseSignal }) };
      yield* runEvaluation(req.spec, { ...extra, ...stops, caller, now: deps.now }, req.resume);
    },
    async estimateEvaluation(req) {
      const { sizesB } = await evalDeps({ spec: req.spec, ...(req.dataRoot === undefined ? {} : { dataRoot: req.dataRoot }) });
      return estimateRun(req.spec, sizesB === undefined ? {} : { sizesB });
    },
    async *runEpisode(req: EngineEpisodeRequest, opts?: { signal?: AbortSignal }) {
      // Setup failures (a data root that is missing or malformed, a model that does not load) throw
      // before any event, with what to fix.
      const live = await callerFor(req.candidates, req);
      const human = req.policy.kind === 'human' ? createTurnInbox(createHumanPolicy(req.policy.id)) : undefined;
      // The consumer leaving early (or the caller's signal) aborts the run, model generation included.
      const stop = new AbortController();
      const onAbort = () => stop.abort(opts?.signal?.reason);
      opts?.signal?.addEventListener('abort', onAbort, { once: true });
      if (opts?.signal?.aborted === true) onAbort();
      const sinkRef: { sink: TokenSink | null } = { sink: null };
      const ports = await portsFor(req, { push: (e) => sinkRef.sink?.push(e) }, stop.signal);
      const base = { policy: human?.policy ?? ports.policy, caller: live };
      const { policy, caller } = req.fork === undefined ? base : forkPorts(req.fork, base);
      if (human !== undefined) humans.set(req.episode.id, human);
      try {
        const events = withTokenEvents(
          (sink) => {
            sinkRef.sink = sink;
            return runEpisode(req.episode, { policy, caller, tokenizer: ports.tokenizer, costWindow, now: deps.now, signal: stop.signal });
          },
          () => stop.abort(new DOMExceptionLike('The episode stream was closed', 'AbortError')),
        );
        for await (const event of events) {
          // From round.started on, a turn is awaited, even before the runner has asked the policy for it.
          if (event.type === 'round.started') human?.expect();
          yield event;
        }
      } finally {
        opts?.signal?.removeEventListener('abort', onAbort);
        if (human !== undefined && humans.get(req.episode.id) === human) humans.delete(req.episode.id);
      }
    },
    async submitTurn(episodeId, text) {
      const human = humans.get(episodeId);
      if (human === undefined) throw new NoTurnPendingError(`No episode "${episodeId}" is waiting for a turn from you; start one first.`);
      human.deliver(text);
    },
    async loadOfflinePool(opts) {
      const b = await bank(opts?.dataRoot);
      return { location: dataRoot(opts?.dataRoot).location, pool: offlinePoolModels(b), questions: offlineBankQuestions(b) };
    },
    async loadQuestions(dataset, opts) {
      return loadQaDataset(dataRoot(opts?.dataRoot), dataset);
    },
    async loadReferenceData(opts): Promise<ReferenceData> {
      const root = dataRoot(opts?.dataRoot);
      const [agentPrompt, poolText, llmText] = await Promise.all([loadAgentPrompt(root), root.readText(DATA_PATHS.pool), root.readText(LLMROUTER_CANDIDATES_PATH)]);
      // The reference prompt templates are optional here: only the Router-R1 checkpoints need them.
      const templates: ReferenceData['templates'] = {};
      for (const id of ['qwen', 'llama'] as const) {
        const text = await loadReferenceTemplate(root, id).catch(() => undefined);
        if (text !== undefined) templates[id] = text;
      }
      const paperPool = paperPoolPreset(poolText);
      const unseenPool = paperPoolPreset(poolText, { includeUnseen: true }).slice(paperPool.length);
      return { location: root.location, agentPrompt, paperPool, llmRouterPool: llmRouterPoolPreset(llmText), unseenPool, templates };
    },
    async testConnection(req: ConnectionTestRequest): Promise<ConnectionTestResult> {
      const caller = httpCaller([req.provider], req.key === undefined ? {} : { [req.provider.id]: req.key }, false);
      const model = { name: req.modelId, provider: req.provider.id, providerModelId: req.modelId, inputPer1M: 0, outputPer1M: 0 };
      try {
        const r = await caller.call(
          { poolIndex: 0, model, prompt: CONNECTION_TEST_PROMPT, query: CONNECTION_TEST_PROMPT, params: { temperature: 0, topP: 1, seed: 42, maxTokens: 8 } },
          {},
        );
        return { ok: true, reply: r.reply, latencyMs: r.latencyMs };
      } catch (err) {
        if (err instanceof CandidateCallError) return { ok: false, error: err.toCallError() };
        throw err;
      }
    },
    async *loadModel(req, opts) {
      // Progress arrives by callback while the load is awaited: the channel hands it out in order, then the load's outcome.
      const progress = createEventChannel<ModelLoadEvent>();
      models.load(req, { ...(opts?.signal === undefined ? {} : { signal: opts.signal }), onEvent: (e) => progress.push(e) }).then(
        () => progress.close(),
        (err: unknown) => progress.fail(err),
      );
      yield* progress;
    },
    async *convertModel(req, opts) {
      const r = runtime();
      if (r.convert === undefined) throw new Error('This engine cannot convert checkpoints (its policy runtime has no converter); use the CLI: npm run -s cli -- convert <folder-or-url-prefix> <out-dir>.');
      yield* r.convert(req, opts?.signal === undefined ? {} : { signal: opts.signal });
    },
    listCachedModels: () => runtime().listCached(),
    deleteCachedModel: (url) => runtime().deleteCached(url),
    clearModelCache: () => runtime().clearCached(),
    modelCacheQuota: () => runtime().quota(),
    deviceInfo: () => runtime().deviceInfo(models.loaded()),
    async dispose() {
      await models.dispose();
    },
  };
}

interface TurnInbox {
  policy: Policy;
  /** The episode announced a turn (round.started). */
  expect(): void;
  /** Hands the turn to the waiting policy, or holds it until the policy asks (in-process consumers submit before the runner resumes). */
  deliver(text: string): void;
}

function createTurnInbox(human: HumanPolicy): TurnInbox {
  let expecting = false;
  let held: string | undefined;
  return {
    policy: {
      describe: () => human.describe(),
      generate(req, o) {
        expecting = false;
        if (held === undefined) return human.generate(req, o);
        const text = held;
        held = undefined;
        return Promise.resolve({ text });
      },
    },
    expect: () => void (expecting = true),
    deliver(text) {
      if (human.pending() !== undefined) return human.submit(text);
      if (!expecting || held !== undefined) return human.submit(text); // throws NoTurnPendingError with its message
      held = text;
    },
  };
}

/** An abort reason without DOMException (core has no DOM lib): an Error named AbortError. */
class DOMExceptionLike extends Error {
  constructor(message: string, name: string) {
    super(message);
    this.name = name;
  }
}

function policyFor(spec: Exclude<PolicySpec, { kind: 'onnx' }>): Policy {
  switch (spec.kind) {
    case 'replay':
      return createReplayPolicy(spec.trajectory);
    case 'scripted':
      return createScriptedPolicy(spec.turns, {
        ...(spec.id === undefined ? {} : { id: spec.id }),
        ...(spec.msPerChar === undefined ? {} : { msPerChar: spec.msPerChar }),
      });
    case 'human':
      return createHumanPolicy(spec.id);
    default:
      return assertNever(spec, 'policy spec');
  }
}
