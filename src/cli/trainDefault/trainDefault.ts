/**
 * `npm run -s cli -- train-default [--seed N] [--data-root DIR] [--out DIR] [--work DIR] [--only NAME]`:
 * re-creates the embedded default policies from scratch (issue 6, DESIGN.md §6) on a CPU:
 *
 *   1. data        the offline bank's TRAINING questions (held-out and test never enter; corpus.ts checks)
 *   2. tokenizer   byte-level BPE (our trainer) on compact prompts + the teachers' trajectories
 *   3. warm-up     per variant: the cost-aware teacher's trajectories (terse thoughts), token
 *                  cross-entropy on the policy's turns (observations masked), AdamW, cosine lr
 *   4. RL          per variant: GRPO with the §2.4 reward at the variant's α on the offline pool
 *                  (core trainLoop, rollouts through the real environment), KL to the warm-up policy
 *   5. export      q4 ONNX + config/tokenizer/generation/router.json + MODEL_CARD.md into
 *                  <out>/<name>/ (default public/models), and <out>/embedded.json
 *   6. metrics     greedy episodes on the held-out questions, beside the baselines, into the card
 *
 * Work files (tokenizer, warm-up weights, logs) go to --work (default node_modules/.cache/...), so
 * nothing under public/ changes until a variant is finished. Progress on stderr; JSON lines on stdout.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createFsDataRoot, defaultDataRootDir } from '../../adapters/node/fsDataRoot';
import { buildTokenizerCorpusFor, runTeacherEpisodes, shuffled } from '../../core/defaultPolicy/corpus';
import { bankTeacherPlan, trainingBankQuestions } from '../../core/defaultPolicy/teacher';
import { DEFAULT_BPE_VOCAB, DEFAULT_POLICY_SEED, DEFAULT_POLICY_VARIANTS, defaultPolicyConfigJson, EMBEDDED_DECODING, embeddedIndex, EMBEDDED_INDEX_FILE, initialDecoderWeights, variantPlan, warmupFolderName, type DefaultPolicyVariant } from '../../core/defaultPolicy/defaultModel';
import { parameterCount } from '../../core/onnx/weights';
import { bpeTokenizerConfig, trainByteLevelBpe } from '../../core/tokenizer/bpeTrainer';
import { syntheticTrainingBank } from '../../core/defaultPolicy/augment';
import { isHeldOutQuestion } from '../../core/eval/heldOut';
import { createOfflineCaller } from '../../core/offline/offlineCaller';
import { createRng, type Rng } from '../../core/math/rng';
import { writeSafetensors } from '../../core/model/safetensors';
import { ROUTER_JSON_FORMAT, serializeRouterJson } from '../../core/model/routerJson';
import { loadOfflineBank, type OfflineBank } from '../../core/offline/offlineBank';
import { buildDecoderModel } from '../../core/onnx/buildDecoder';
import { parseDecoderConfig, type DecoderConfig } from '../../core/onnx/decoderConfig';
import type { WeightTensor } from '../../core/onnx/weights';
import { adamWStep, clipGradNorm, createAdamWState } from '../../core/learner/adamw';
import { trajectorySequence } from '../../core/rl/episodeRollout';
import { cloneParams, copyParamsInto, firstNonFinite } from '../../core/learner/paramMap';
import { learningRate, type LrSchedule } from '../../core/rl/schedule';
import { buildTrainInputs, tokenWeights, type RolloutSequence } from '../../core/learner/trainBatch';
import { createOnnxLearner, ownedWeights, type OnnxLearner } from '../../core/learner/onnxLearner';
import { nodeTrainSessions } from '../../adapters/node/nodeTrainSession';
import { loadInitialWeights, loadTrainModel } from '../train/trainSetup';
import type { PolicySummary } from '../eval/policyEval';
import { runVariantRl } from './variantRl';
import { writeModelCard, type CardFacts } from './modelCard';
import { ablationSummary, cardBaselines, CARD_ABLATIONS, CARD_DATASET, evalSummary } from './cardEval';
import type { DataRoot } from '../../core/data/dataRoot';

export const TRAIN_DEFAULT_USAGE = `train-default [--seed N] [--data-root DIR] [--out DIR] [--work DIR] [--only NAME] [--skip-rl] [--cards-only]
        [--sft-epochs N] [--rl-steps N] [--copy-updates N]  (shorter runs for trying changes; the shipped folders use the defaults)
                                  re-create the embedded policies (public/models/router-nano-*) from scratch`;

export interface TrainDefaultIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: Record<string, string | undefined>;
  now: () => number;
}

const THREADS = 2;
const SFT_BATCH = 16;

export async function runTrainDefault(flags: ReadonlyMap<string, string>, io: TrainDefaultIo): Promise<number> {
  const seed = Number(flags.get('seed') ?? DEFAULT_POLICY_SEED);
  if (!Number.isSafeInteger(seed) || seed < 0) {
    io.stderr.write(`--seed must be a whole number ≥ 0, got ${flags.get('seed')}.\n\nUsage: npm run -s cli -- ${TRAIN_DEFAULT_USAGE}\n`);
    return 2;
  }
  const only = flags.get('only');
  const sftEpochs = flags.get('sft-epochs');
  const rlSteps = flags.get('rl-steps');
  const variants = DEFAULT_POLICY_VARIANTS.filter((v) => only === undefined || v.name === only).map((v) => ({
    ...v,
    sft: { ...v.sft, ...(sftEpochs === undefined ? {} : { epochs: Number(sftEpochs) }) },
    rl: { ...v.rl, ...(rlSteps === undefined ? {} : { steps: Number(rlSteps) }) },
  }));
  if (variants.length === 0) {
    io.stderr.write(`--only must name one of ${DEFAULT_POLICY_VARIANTS.map((v) => v.name).join(', ')}.\n`);
    return 2;
  }
  const out = resolve(flags.get('out') ?? 'public/models');
  const work = resolve(flags.get('work') ?? `node_modules/.cache/router-r1-train-default/seed-${seed}`);
  const started = io.now();
  const log = (s: string): void => void io.stderr.write(`[${((io.now() - started) / 1000).toFixed(0).padStart(5)} s] ${s}\n`);
  const line = (v: unknown): void => void io.stdout.write(JSON.stringify(v) + '\n');
  mkdirSync(work, { recursive: true });

  // 1. data
  const dataRoot = flags.get('data-root') ?? defaultDataRootDir(io.env);
  const root = createFsDataRoot(dataRoot);
  const bank = await loadOfflineBank(root);
  const training = trainingBankQuestions(bank);
  const heldOut = bank.questions.filter((q) => q.split === 'train' && isHeldOutQuestion(q.id));
  const plan = bankTeacherPlan(bank, training);
  log(`data: ${training.length} training questions, ${heldOut.length} held out (never trained on), data root ${dataRoot}`);

  if (flags.get('cards-only') === 'true') {
    await writeCards(variants, work, out, root, bank.models.map((m) => m.name), io.now, log);
    return 0;
  }

  // 2. tokenizer (shared by every variant)
  const teacherOf = (v: DefaultPolicyVariant) => ({ alpha: v.alpha, plan: variantPlan(plan, v.teacher.order), maxRoutes: v.teacher.maxRoutes, terse: true, seed });
  const corpus = await buildTokenizerCorpusFor(bank, DEFAULT_POLICY_VARIANTS.map(teacherOf), seed);
  const bpe = trainByteLevelBpe(corpus.texts, { vocabSize: DEFAULT_BPE_VOCAB });
  log(`tokenizer: byte-level BPE, ${bpe.size} tokens from ${corpus.texts.length} texts (${corpus.prompts} prompts, ${corpus.trajectories} teacher trajectories)`);
  const eos = bpe.addedTokens.find((t) => t.content === '<|im_end|>')?.id as number;
  const pad = bpe.addedTokens.find((t) => t.content === '<|endoftext|>')?.id as number;
  const configJson = defaultPolicyConfigJson(Math.ceil(bpe.size / 16) * 16, { eos, pad });
  const config = parseDecoderConfig(configJson);
  log(`model: Qwen2, ${config.numLayers} layers, hidden ${config.hiddenSize}, ${parameterCount(config).toLocaleString('en')} parameters`);

  const copyFile = join(work, 'copy-pretrain.safetensors');
  const copyFile1 = join(work, 'copy-pretrain-1.safetensors');
  const tokenIds = copyAlphabet(bpe);
  const save = (file: string, w: Map<string, WeightTensor>): void => saveWeights(file, w, { format: 'router-r1-default-copy' });
  const resume = flags.get('resume') === 'true';
  let base: Map<string, WeightTensor>;
  if (existsSync(copyFile) && resume) {
    base = readWeights(copyFile, config);
    log(`copy pre-training: weights from ${copyFile}`);
  } else {
    // phase 1: short contexts, where the induction head forms; phase 2: router-length contexts, so it works there too
    let short: Map<string, WeightTensor>;
    if (existsSync(copyFile1) && resume) {
      short = readWeights(copyFile1, config);
      log(`copy pre-training: phase 1 weights from ${copyFile1}`);
    } else {
      short = await copyPretrain(config, initialDecoderWeights(config, seed), tokenIds, seed, { ...COPY_PHASES[0], updates: Number(flags.get('copy-updates') ?? COPY_PHASES[0].updates) }, log);
      save(copyFile1, short);
    }
    base = await copyPretrain(config, short, tokenIds, seed + 1, COPY_PHASES[1], log);
    save(copyFile, base);
  }
  const sftWeights = new Map<string, Map<string, WeightTensor>>();
  const index = embeddedIndex(DEFAULT_POLICY_VARIANTS);
  for (const v of variants) {
    const t0 = io.now();
    const dir = join(work, v.name);
    // a valid model folder from the start (loadTrainModel reads it): files + the initial weights
    writeFolder(dir, v, { configJson, tokenizerJson: bpe.json, config, weights: base, seed });
    const model = await loadTrainModel(dir);

    // 3. warm-up on the teacher's trajectories
    const teacher = await runTeacherEpisodes(bank, training, { ...teacherOf(v), tokenizer: model.tokenizer });
    const synthetic = syntheticTrainingBank(bank, v.sft.syntheticCopies, seed + 1000 * DEFAULT_POLICY_VARIANTS.indexOf(DEFAULT_POLICY_VARIANTS.find((x) => x.name === v.name) as DefaultPolicyVariant));
    const practice = await runTeacherEpisodes(synthetic, synthetic.questions, { ...teacherOf(v), tokenizer: model.tokenizer, caller: createOfflineCaller(synthetic) });
    const sequences = [...teacher, ...practice].map((t) => trajectorySequence(t, model.tokenizer, model.framing));
    const teacherEm = mean(teacher.map((t) => t.reward?.em ?? 0));
    log(`${v.name}: ${teacher.length} teacher trajectories (EM ${teacherEm.toFixed(3)} on training questions) + ${practice.length} on shuffled training questions (copy practice), ${sum(sequences.map((s) => s.tokenIds.length)).toLocaleString('en')} tokens, ${sum(sequences.map((s) => sum(s.policyMask))).toLocaleString('en')} policy tokens`);
    // later variants start from the first variant's warm-up (it already copies and knows the protocol)
    const first = DEFAULT_POLICY_VARIANTS[0] as DefaultPolicyVariant;
    const firstSft = join(work, `${first.name}.sft.safetensors`);
    const from = v.name === first.name ? base : (sftWeights.get(first.name) ?? (existsSync(firstSft) ? readWeights(firstSft, config) : undefined));
    if (from === undefined) throw new Error(`${v.name} starts from ${first.name}'s warm-up: train ${first.name} first (same --work).`);
    const sftFile = join(work, `${v.name}.sft.safetensors`);
    let warm: Map<string, WeightTensor>;
    if (existsSync(sftFile) && flags.get('resume') === 'true') {
      warm = readWeights(sftFile, config);
      log(`${v.name}: warm-up weights from ${sftFile}`);
    } else {
      warm = await supervised(config, from, sequences, tokenIds, v, seed, log);
      saveWeights(sftFile, warm, { format: 'router-r1-default-sft', variant: v.name });
    }
    sftWeights.set(v.name, warm);
    writeFolder(dir, v, { configJson, tokenizerJson: bpe.json, config, weights: warm, seed });
    // the same weights before RL, shipped as a baseline (embedded.json "warmups")
    writeWarmupFolder(out, v, { configJson, tokenizerJson: bpe.json, config, weights: warm, seed });

    // 4. RL
    let final = warm;
    let rlSteps = 0;
    if (flags.get('skip-rl') !== 'true' && v.rl.steps > 0) {
      const rl = await runVariantRl({ dir, model, weights: warm, bank, training, variant: v, seed, now: io.now, log, line });
      final = rl.weights;
      rlSteps = rl.steps;
      writeFolder(dir, v, { configJson, tokenizerJson: bpe.json, config, weights: final, seed });
    }

    // 5–6. held-out metrics, card, copy into <out>
    const facts: CardFacts = {
      variant: v,
      config,
      parameters: parameterCount(config),
      tokenizerSize: bpe.size,
      seed,
      trainingQuestions: training.length,
      heldOutQuestions: heldOut.length,
      teacherTrajectories: teacher.length,
      practiceTrajectories: practice.length,
      teacherEm,
      sftUpdates: Math.ceil(sequences.length / SFT_BATCH) * v.sft.epochs,
      rlSteps,
      wallSeconds: (io.now() - t0) / 1000,
      heldOut: null,
      onnxBytes: readFileSync(join(dir, 'onnx/model_q4.onnx')).byteLength,
    };
    writeFileSync(join(dir, 'train-facts.json'), JSON.stringify(facts, null, 2) + '\n');
    rmSync(join(out, v.name), { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    cpSync(dir, join(out, v.name), { recursive: true, filter: (src) => !src.endsWith('train-facts.json') });
    line({ type: 'train-default.variant', name: v.name, alpha: v.alpha, wallSeconds: facts.wallSeconds, dir: join(out, v.name) });
  }
  writeFileSync(join(out, EMBEDDED_INDEX_FILE), JSON.stringify(index, null, 2) + '\n');
  await writeCards(variants, work, out, root, bank.models.map((m) => m.name), io.now, log);
  log(`done: ${variants.map((v) => join(out, v.name)).join(', ')} and ${join(out, EMBEDDED_INDEX_FILE)}`);
  return 0;
}

/**
 * The model cards: each variant's held-out numbers and the baselines', measured with `eval --policy`
 * (cardEval.ts) on the folders in `out`, plus the training facts the run recorded in `work`.
 */
async function writeCards(variants: readonly DefaultPolicyVariant[], work: string, out: string, root: DataRoot, models: readonly string[], now: () => number, log: (s: string) => void): Promise<void> {
  const baselineCache = new Map<string, PolicySummary>();
  for (const v of variants) {
    const factsFile = join(work, v.name, 'train-facts.json');
    if (!existsSync(factsFile)) throw new Error(`${factsFile} is missing: run train-default without --cards-only first (same --work).`);
    const facts = JSON.parse(readFileSync(factsFile, 'utf8')) as CardFacts;
    facts.heldOut = await evalSummary(join(out, v.name), v.alpha, root, now);
    log(`${v.name}: eval --policy on ${CARD_DATASET}: ${fmt(facts.heldOut)}`);
    facts.ablations = [];
    for (const a of CARD_ABLATIONS) {
      const summary = await ablationSummary(join(out, v.name), a.decoding, v.alpha, root, now);
      log(`${v.name}: decoding ${a.label}: ${fmt(summary)}`);
      facts.ablations.push({ label: a.label, summary });
    }
    facts.baselines = [];
    const warmup = join(out, warmupFolderName(v.name));
    if (existsSync(warmup)) facts.baselines.push({ method: `${warmupFolderName(v.name)} (same weights before RL)`, summary: await evalSummary(warmup, v.alpha, root, now) });
    for (const b of cardBaselines(models)) {
      const key = `${b}@${v.alpha}`;
      const summary = baselineCache.get(key) ?? (await evalSummary(b, v.alpha, root, now));
      baselineCache.set(key, summary);
      facts.baselines.push({ method: b, summary });
    }
    writeModelCard(join(out, v.name), facts);
    writeModelCard(join(work, v.name), facts);
  }
}

function fmt(s: PolicySummary): string {
  return `EM ${s.em.toFixed(3)}, F1 ${s.f1.toFixed(3)}, cost ${s.cost.toFixed(2)}, calls ${s.calls.toFixed(2)}, format-valid ${(s.format_valid * 100).toFixed(1)}%`;
}

const sum = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0);
const mean = (a: readonly number[]): number => (a.length === 0 ? 0 : sum(a) / a.length);

/** HF-named weights written by an earlier stage (checked against the config like a `model.init` file). */
function readWeights(file: string, config: DecoderConfig): Map<string, WeightTensor> {
  return loadInitialWeights(dirname(file), config, { kind: 'safetensors', path: file });
}

function saveWeights(file: string, w: Map<string, WeightTensor>, meta: Record<string, string>): void {
  writeFileSync(file, writeSafetensors([...w].map(([name, t]) => ({ name, shape: t.shape, data: t.data })), meta));
}

export interface FolderFiles {
  configJson: Record<string, unknown>;
  tokenizerJson: Record<string, unknown>;
  config: DecoderConfig;
  weights: Map<string, WeightTensor>;
  seed: number;
}

/** `<out>/<name>-warmup`: the variant's folder with its weights before RL (an evaluation baseline, not a variant). */
export function writeWarmupFolder(out: string, v: DefaultPolicyVariant, f: FolderFiles): void {
  const name = warmupFolderName(v.name);
  rmSync(join(out, name), { recursive: true, force: true });
  writeFolder(join(out, name), { ...v, name, summary: `${v.name} before RL: the supervised warm-up alone (a baseline)` }, f);
}

/** The model folder: HF files, router.json, the q4 decoder. */
function writeFolder(dir: string, v: DefaultPolicyVariant, f: FolderFiles): void {
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const json = (x: unknown): string => JSON.stringify(x, null, 2) + '\n';
  writeFileSync(join(dir, 'config.json'), json(f.configJson));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(f.tokenizerJson) + '\n');
  writeFileSync(join(dir, 'tokenizer_config.json'), json({ ...bpeTokenizerConfig(), tokenizer_class: 'PreTrainedTokenizerFast' }));
  writeFileSync(join(dir, 'generation_config.json'), json({ bos_token_id: null, eos_token_id: [f.configJson['eos_token_id'], f.configJson['pad_token_id']], pad_token_id: f.configJson['pad_token_id'], do_sample: false }));
  writeFileSync(
    join(dir, 'router.json'),
    serializeRouterJson({
      format: ROUTER_JSON_FORMAT,
      prompt_template: 'compact',
      pool: 'offline',
      alpha: v.alpha,
      decoding: EMBEDDED_DECODING,
      provenance: { source: 'router-r1-studio train-default', producer: `router-r1-studio train-default (seed ${f.seed})`, license: 'Apache-2.0', notes: v.summary },
    }),
  );
  writeFileSync(join(dir, 'onnx/model_q4.onnx'), buildDecoderModel(f.config, f.weights, { precision: 'q4' }));
}

/** Tokens per copy-task sequence. */
const COPY_LENGTH = 128;
/** During the warm-up, one update in this many carries a copy-task batch too. */
const COPY_EVERY = 3;

/** Every ordinary token id (bytes and merges; no added token): the copy task's alphabet, so any text can be copied. */
function copyAlphabet(bpe: ReturnType<typeof trainByteLevelBpe>): number[] {
  const added = new Set(bpe.addedTokens.map((t) => t.id));
  return Array.from({ length: bpe.size }, (_, id) => id).filter((id) => !added.has(id));
}

/**
 * Copy pre-training: sequences of random token strings, each written twice ("x₁…xₙ \n x₁…xₙ"), loss on
 * the second copies only. Only attention that finds the earlier occurrence of the current token and
 * copies its successor (an induction head) lowers that loss, and the router needs exactly that to copy
 * the question into <search> and a stated answer into <answer>. Without this stage the warm-up learns
 * the protocol and the routing decisions in a few hundred updates but not copying.
 */
interface CopyPhase {
  updates: number;
  length: number;
  batch: number;
  lr: number;
}

/** Phase 1 forms the induction head on 128-token strings; phase 2 makes it work across router-length contexts. */
const COPY_PHASES: readonly [CopyPhase, CopyPhase] = [
  { updates: 3000, length: 128, batch: 28, lr: 3e-3 },
  { updates: 300, length: 640, batch: 6, lr: 1e-3 },
];

async function copyPretrain(config: DecoderConfig, start: Map<string, WeightTensor>, alphabet: readonly number[], seed: number, phase: CopyPhase, log: (s: string) => void): Promise<Map<string, WeightTensor>> {
  const updates = phase.updates;
  const learner = await createOnnxLearner({ config, weights: start, trainable: { kind: 'full' }, open: nodeTrainSessions({ intraOpThreads: THREADS }) });
  try {
    const params = learner.params();
    const optimizer = createAdamWState(params);
    const schedule: LrSchedule = { kind: 'cosine', lr: phase.lr, warmupSteps: Math.min(100, updates / 10), totalSteps: updates, minLr: phase.lr / 3 };
    const rng = createRng(seed).fork('copy-pretrain');
    let lossAvg = NaN;
    const t0 = performance.now();
    for (let update = 0; update < updates; update++) {
      const inputs = buildTrainInputs(copyBatch(alphabet, phase.batch, rng, phase.length));
      const out = await learner.crossEntropyLossAndGrads(inputs, tokenWeights(inputs.lossMask, inputs.batchSize, inputs.seqLen, 'token-mean'));
      if (Number.isFinite(out.loss) && firstNonFinite(out.grads) === undefined) {
        clipGradNorm(out.grads, 1);
        adamWStep(params, out.grads, optimizer, { beta1: 0.9, beta2: 0.98, eps: 1e-8, weightDecay: 0.01, lr: learningRate(schedule, update) });
        lossAvg = Number.isNaN(lossAvg) ? out.loss : 0.95 * lossAvg + 0.05 * out.loss;
      }
      if ((update + 1) % 100 === 0) log(`copy pre-training (length ${phase.length}) ${update + 1}/${updates}: loss ${lossAvg.toFixed(3)} (chance ${Math.log(alphabet.length).toFixed(2)}), ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
    log(`copy pre-training: copy loss in 512-token contexts ${(await copyProbe(learner, alphabet, seed, 512)).toFixed(3)} (chance ${Math.log(alphabet.length).toFixed(2)})`);
    return ownedWeights(learner);
  } finally {
    await learner.dispose();
  }
}

/**
 * A batch of the copy task: noise over `alphabet` into which spans are written twice, the second copy
 * after a random gap (and the next span after more noise); the loss is on each second copy after its
 * first token. The offsets are random and nothing marks a copy, so only an induction head (find the
 * earlier occurrence of the current token, predict what followed it) lowers the loss — a separator or
 * a fixed layout lets a model learn a positional shortcut that fails in real contexts.
 */
export function copyBatch(alphabet: readonly number[], size: number, rng: { nextUint32(): number }, length = COPY_LENGTH): RolloutSequence[] {
  const pick = (): number => alphabet[rng.nextUint32() % alphabet.length] as number;
  const batch: RolloutSequence[] = [];
  for (let b = 0; b < size; b++) {
    const tokenIds: number[] = [];
    const policyMask: number[] = [];
    const noise = (k: number): void => {
      for (let i = 0; i < k; i++) {
        tokenIds.push(pick());
        policyMask.push(0);
      }
    };
    while (tokenIds.length < length) {
      noise(rng.nextUint32() % 8);
      const span = Array.from({ length: 3 + (rng.nextUint32() % 14) }, pick);
      tokenIds.push(...span);
      policyMask.push(...span.map(() => 0));
      noise(rng.nextUint32() % 24);
      tokenIds.push(...span);
      policyMask.push(0, ...span.slice(1).map(() => 1));
    }
    batch.push({ tokenIds: tokenIds.slice(0, length), policyMask: policyMask.slice(0, length) });
  }
  return batch;
}

/** Mean copy loss with `prefix` noise tokens before the task (a check that copying works anywhere in a long context). */
async function copyProbe(learner: Pick<OnnxLearner, 'crossEntropyLossAndGrads'>, alphabet: readonly number[], seed: number, length: number): Promise<number> {
  const inputs = buildTrainInputs(copyBatch(alphabet, 8, createRng(seed).fork('copy-probe'), length));
  const out = await learner.crossEntropyLossAndGrads(inputs, tokenWeights(inputs.lossMask, inputs.batchSize, inputs.seqLen, 'token-mean'));
  return out.loss;
}

/** Token cross-entropy on the teacher's turns: length-bucketed minibatches, AdamW, warm-up + cosine. */
async function supervised(config: DecoderConfig, start: Map<string, WeightTensor>, sequences: readonly RolloutSequence[], alphabet: readonly number[], v: DefaultPolicyVariant, seed: number, log: (s: string) => void): Promise<Map<string, WeightTensor>> {
  const learner = await createOnnxLearner({ config, weights: start, trainable: { kind: 'full' }, open: nodeTrainSessions({ intraOpThreads: THREADS }) });
  try {
    const params = learner.params();
    const optimizer = createAdamWState(params);
    const perEpoch = Math.ceil(sequences.length / SFT_BATCH);
    const total = perEpoch * v.sft.epochs;
    const schedule: LrSchedule = { kind: 'cosine', lr: v.sft.lr, warmupSteps: Math.min(100, Math.floor(total / 10)), totalSteps: total, minLr: v.sft.lr / 20 };
    const rng = createRng(seed).fork(`sft.${v.name}`);
    let update = 0;
    let lossAvg = NaN;
    let tokens = 0;
    const t0 = performance.now();
    for (let epoch = 0; epoch < v.sft.epochs; epoch++) {
      for (const batch of lengthBuckets(sequences, SFT_BATCH, rng.fork(`epoch.${epoch}`))) {
        // every COPY_EVERY-th update also trains the copy task (keeps the induction heads of copyPretrain)
        const withCopy = update % COPY_EVERY === 0 ? [...batch, ...copyBatch(alphabet, 4, rng, 512)] : batch;
        const inputs = buildTrainInputs(withCopy);
        const w = tokenWeights(inputs.lossMask, inputs.batchSize, inputs.seqLen, 'token-mean');
        const out = await learner.crossEntropyLossAndGrads(inputs, w);
        const bad = !Number.isFinite(out.loss) ? 'loss' : firstNonFinite(out.grads);
        if (bad === undefined) {
          const before = cloneParams(params);
          clipGradNorm(out.grads, 1);
          adamWStep(params, out.grads, optimizer, { beta1: 0.9, beta2: 0.98, eps: 1e-8, weightDecay: 0.01, lr: learningRate(schedule, update) });
          if (firstNonFinite(params) !== undefined) copyParamsInto(params, before);
          lossAvg = Number.isNaN(lossAvg) ? out.loss : 0.95 * lossAvg + 0.05 * out.loss;
        } else log(`${v.name}: warm-up update ${update + 1} skipped (non-finite ${bad})`);
        tokens += inputs.batchSize * inputs.seqLen;
        update++;
        if (update % 50 === 0 || update === total) {
          const s = (performance.now() - t0) / 1000;
          log(`${v.name}: warm-up ${update}/${total} (epoch ${epoch + 1}), loss ${lossAvg.toFixed(4)}, ${(tokens / s).toFixed(0)} tok/s, ETA ${((s / update) * (total - update)).toFixed(0)} s`);
        }
      }
    }
    return ownedWeights(learner);
  } finally {
    await learner.dispose();
  }
}

/** Shuffled minibatches of similar lengths (less padding): shuffle, sort runs of 8 batches by length, cut, shuffle the batches. */
function lengthBuckets(seqs: readonly RolloutSequence[], size: number, rng: Rng): RolloutSequence[][] {
  const idx = shuffled(seqs.map((_, i) => i), rng);
  const batches: RolloutSequence[][] = [];
  const run = size * 8;
  for (let s = 0; s < idx.length; s += run) {
    const chunk = idx.slice(s, s + run).sort((a, b) => (seqs[a] as RolloutSequence).tokenIds.length - (seqs[b] as RolloutSequence).tokenIds.length);
    for (let k = 0; k < chunk.length; k += size) batches.push(chunk.slice(k, k + size).map((i) => seqs[i] as RolloutSequence));
  }
  return shuffled(batches, rng);
}


