/**
 * `npm run -s cli -- train-default [--seed N] [--data-root DIR] [--out DIR] [--work DIR] [--only NAME]`:
 * re-creates the embedded default policies from scratch (DESIGN.md §6) on a CPU. This module runs the
 * stages in order and owns what they hand each other (--work files, --resume); the stages live beside
 * it (copyPretrain.ts, warmup.ts, variantRl.ts, folderFiles.ts, cardEval.ts) and their loops in core:
 *
 *   1. data        the offline bank's TRAINING questions (held-out and test never enter; corpus.ts checks)
 *   2. tokenizer   byte-level BPE (our trainer) on compact prompts + the teachers' trajectories
 *   2b. copy       copy pre-training (induction heads) from seeded weights, shared by every variant
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
 * Must not: hold a training loop or compose rollouts itself.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createFsDataRoot, defaultDataRootDir } from '../../adapters/node/fsDataRoot';
import { buildTokenizerCorpusFor, runTeacherEpisodes, type TeacherRunOptions } from '../../core/defaultPolicy/corpus';
import { bankTeacherPlan, trainingBankQuestions } from '../../core/defaultPolicy/teacher';
import { DEFAULT_BPE_VOCAB, DEFAULT_POLICY_SEED, DEFAULT_POLICY_VARIANTS, defaultPolicyConfigJson, embeddedIndex, EMBEDDED_INDEX_FILE, initialDecoderWeights, variantPlan, type DefaultPolicyVariant } from '../../core/defaultPolicy/defaultModel';
import { parameterCount } from '../../core/onnx/weights';
import { trainByteLevelBpe } from '../../core/tokenizer/bpeTrainer';
import { syntheticTrainingBank } from '../../core/defaultPolicy/augment';
import { isHeldOutQuestion } from '../../core/eval/heldOut';
import { createOfflineCaller } from '../../core/offline/offlineCaller';
import { loadOfflineBank, type OfflineBank, type OfflineQuestion } from '../../core/offline/offlineBank';
import { parseDecoderConfig, type DecoderConfig } from '../../core/onnx/decoderConfig';
import type { WeightTensor } from '../../core/onnx/weights';
import type { RolloutSequence } from '../../core/learner/trainBatch';
import { trajectorySequence } from '../../core/rl/episodeRollout';
import { loadTrainModel, type TrainModel } from '../train/trainSetup';
import { runVariantRl } from './variantRl';
import type { CardFacts } from './modelCard';
import { writeCards } from './cardEval';
import { copyAlphabet, copyPretrain, COPY_PHASES } from './copyPretrain';
import { readWeights, saveWeights, writeFolder, writeWarmupFolder, type FolderFiles } from './folderFiles';
import { runWarmup, warmupUpdates } from './warmup';
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

/** What every stage of one train-default run shares. */
interface Run {
  seed: number;
  variants: DefaultPolicyVariant[];
  out: string;
  work: string;
  flags: ReadonlyMap<string, string>;
  now: () => number;
  log: (s: string) => void;
  line: (v: unknown) => void;
}

/** The data of stage 1 and the tokenizer and model shape of stage 2 (shared by every variant). */
interface Shared {
  root: DataRoot;
  bank: OfflineBank;
  training: OfflineQuestion[];
  heldOut: OfflineQuestion[];
  teacherOf: (v: DefaultPolicyVariant) => TeacherRunOptions;
  bpe: ReturnType<typeof trainByteLevelBpe>;
  /** The folder files every variant writes; `weights` are the copy pre-trained ones. */
  files: FolderFiles;
  tokenIds: number[];
  sftWeights: Map<string, Map<string, WeightTensor>>;
}

export async function runTrainDefault(flags: ReadonlyMap<string, string>, io: TrainDefaultIo): Promise<number> {
  const run = parseRun(flags, io);
  if (typeof run === 'number') return run;
  mkdirSync(run.work, { recursive: true });
  // 1. data
  const dataRoot = flags.get('data-root') ?? defaultDataRootDir(io.env);
  const root = createFsDataRoot(dataRoot);
  const bank = await loadOfflineBank(root);
  const training = trainingBankQuestions(bank);
  const heldOut = bank.questions.filter((q) => q.split === 'train' && isHeldOutQuestion(q.id));
  run.log(`data: ${training.length} training questions, ${heldOut.length} held out (never trained on), data root ${dataRoot}`);
  if (flags.get('cards-only') === 'true') {
    await writeCards(run.variants, run.work, run.out, root, bank.models.map((m) => m.name), io.now, run.log);
    return 0;
  }
  // 2. tokenizer and the copy pre-trained start (shared by every variant)
  const shared = await tokenizerAndBase(run, { root, bank, training, heldOut });
  // 3–6. per variant: warm-up, RL, export and facts
  for (const v of run.variants) await trainVariant(run, shared, v);
  writeFileSync(join(run.out, EMBEDDED_INDEX_FILE), JSON.stringify(embeddedIndex(DEFAULT_POLICY_VARIANTS), null, 2) + '\n');
  await writeCards(run.variants, run.work, run.out, root, bank.models.map((m) => m.name), io.now, run.log);
  run.log(`done: ${run.variants.map((v) => join(run.out, v.name)).join(', ')} and ${join(run.out, EMBEDDED_INDEX_FILE)}`);
  return 0;
}

/** The flags as a run, or the exit code of a usage error (said on stderr). */
function parseRun(flags: ReadonlyMap<string, string>, io: TrainDefaultIo): Run | number {
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
  const started = io.now();
  return {
    seed,
    variants,
    out: resolve(flags.get('out') ?? 'public/models'),
    work: resolve(flags.get('work') ?? `node_modules/.cache/router-r1-train-default/seed-${seed}`),
    flags,
    now: io.now,
    log: (s) => void io.stderr.write(`[${((io.now() - started) / 1000).toFixed(0).padStart(5)} s] ${s}\n`),
    line: (v) => void io.stdout.write(JSON.stringify(v) + '\n'),
  };
}

/** Stage 2: byte-level BPE on prompts + every variant's teacher trajectories, the model shape, and the copy pre-trained weights. */
async function tokenizerAndBase(run: Run, data: Pick<Shared, 'root' | 'bank' | 'training' | 'heldOut'>): Promise<Shared> {
  const { seed, log } = run;
  const plan = bankTeacherPlan(data.bank, data.training);
  const teacherOf = (v: DefaultPolicyVariant): TeacherRunOptions => ({ alpha: v.alpha, plan: variantPlan(plan, v.teacher.order), maxRoutes: v.teacher.maxRoutes, terse: true, seed });
  const corpus = await buildTokenizerCorpusFor(data.bank, DEFAULT_POLICY_VARIANTS.map(teacherOf), seed);
  const bpe = trainByteLevelBpe(corpus.texts, { vocabSize: DEFAULT_BPE_VOCAB });
  log(`tokenizer: byte-level BPE, ${bpe.size} tokens from ${corpus.texts.length} texts (${corpus.prompts} prompts, ${corpus.trajectories} teacher trajectories)`);
  const eos = bpe.addedTokens.find((t) => t.content === '<|im_end|>')?.id as number;
  const pad = bpe.addedTokens.find((t) => t.content === '<|endoftext|>')?.id as number;
  const configJson = defaultPolicyConfigJson(Math.ceil(bpe.size / 16) * 16, { eos, pad });
  const config = parseDecoderConfig(configJson);
  log(`model: Qwen2, ${config.numLayers} layers, hidden ${config.hiddenSize}, ${parameterCount(config).toLocaleString('en')} parameters`);
  const tokenIds = copyAlphabet(bpe);
  const weights = await copyPretrainedBase(run, config, tokenIds);
  return { ...data, teacherOf, bpe, files: { configJson, tokenizerJson: bpe.json, config, weights, seed }, tokenIds, sftWeights: new Map() };
}

/** Both copy pre-training phases (or, with --resume, the weights an earlier run saved in --work). */
async function copyPretrainedBase(run: Run, config: DecoderConfig, tokenIds: readonly number[]): Promise<Map<string, WeightTensor>> {
  const { seed, log } = run;
  const copyFile = join(run.work, 'copy-pretrain.safetensors');
  const copyFile1 = join(run.work, 'copy-pretrain-1.safetensors');
  const save = (file: string, w: Map<string, WeightTensor>): void => saveWeights(file, w, { format: 'router-r1-default-copy' });
  const resume = run.flags.get('resume') === 'true';
  if (existsSync(copyFile) && resume) {
    log(`copy pre-training: weights from ${copyFile}`);
    return readWeights(copyFile, config);
  }
  // phase 1: short contexts, where the induction head forms; phase 2: router-length contexts, so it works there too
  let short: Map<string, WeightTensor>;
  if (existsSync(copyFile1) && resume) {
    short = readWeights(copyFile1, config);
    log(`copy pre-training: phase 1 weights from ${copyFile1}`);
  } else {
    short = await copyPretrain(config, initialDecoderWeights(config, seed), tokenIds, seed, { ...COPY_PHASES[0], updates: Number(run.flags.get('copy-updates') ?? COPY_PHASES[0].updates) }, log);
    save(copyFile1, short);
  }
  const base = await copyPretrain(config, short, tokenIds, seed + 1, COPY_PHASES[1], log);
  save(copyFile, base);
  return base;
}

/** Stages 3–6 for one variant: warm-up, RL, the facts, and the folder copied into <out>. */
async function trainVariant(run: Run, sh: Shared, v: DefaultPolicyVariant): Promise<void> {
  const t0 = run.now();
  const dir = join(run.work, v.name);
  // a valid model folder from the start (loadTrainModel reads it): files + the initial weights
  writeFolder(dir, v, sh.files);
  const model = await loadTrainModel(dir);
  // 3. warm-up on the teacher's trajectories
  const data = await warmupData(run, sh, v, model);
  const warm = await warmupWeights(run, sh, v, data.sequences);
  writeFolder(dir, v, { ...sh.files, weights: warm });
  // the same weights before RL, shipped as a baseline (embedded.json "warmups")
  writeWarmupFolder(run.out, v, { ...sh.files, weights: warm });
  // 4. RL
  let rlSteps = 0;
  if (run.flags.get('skip-rl') !== 'true' && v.rl.steps > 0) {
    const rl = await runVariantRl({ dir, model, weights: warm, bank: sh.bank, training: sh.training, variant: v, seed: run.seed, now: run.now, log: run.log, line: run.line });
    rlSteps = rl.steps;
    writeFolder(dir, v, { ...sh.files, weights: rl.weights });
  }
  // 5–6. the facts for the card, the folder into <out>
  const { config, seed } = sh.files;
  const facts: CardFacts = {
    variant: v,
    config,
    parameters: parameterCount(config),
    tokenizerSize: sh.bpe.size,
    seed,
    trainingQuestions: sh.training.length,
    heldOutQuestions: sh.heldOut.length,
    teacherTrajectories: data.teacher,
    practiceTrajectories: data.practice,
    teacherEm: data.teacherEm,
    sftUpdates: warmupUpdates(data.sequences.length, v.sft.epochs),
    rlSteps,
    wallSeconds: (run.now() - t0) / 1000,
    heldOut: null,
    onnxBytes: readFileSync(join(dir, 'onnx/model_q4.onnx')).byteLength,
  };
  publishVariant(run, v, dir, facts);
}

/** The warm-up's sequences: the teacher on the training questions, plus copy practice on shuffled synthetic ones. */
async function warmupData(run: Run, sh: Shared, v: DefaultPolicyVariant, model: TrainModel): Promise<{ sequences: RolloutSequence[]; teacher: number; practice: number; teacherEm: number }> {
  const teacher = await runTeacherEpisodes(sh.bank, sh.training, { ...sh.teacherOf(v), tokenizer: model.tokenizer });
  const synthetic = syntheticTrainingBank(sh.bank, v.sft.syntheticCopies, run.seed + 1000 * DEFAULT_POLICY_VARIANTS.indexOf(DEFAULT_POLICY_VARIANTS.find((x) => x.name === v.name) as DefaultPolicyVariant));
  const practice = await runTeacherEpisodes(synthetic, synthetic.questions, { ...sh.teacherOf(v), tokenizer: model.tokenizer, caller: createOfflineCaller(synthetic) });
  const sequences = [...teacher, ...practice].map((t) => trajectorySequence(t, model.tokenizer, model.framing));
  const teacherEm = mean(teacher.map((t) => t.reward?.em ?? 0));
  run.log(`${v.name}: ${teacher.length} teacher trajectories (EM ${teacherEm.toFixed(3)} on training questions) + ${practice.length} on shuffled training questions (copy practice), ${sum(sequences.map((s) => s.tokenIds.length)).toLocaleString('en')} tokens, ${sum(sequences.map((s) => sum(s.policyMask))).toLocaleString('en')} policy tokens`);
  return { sequences, teacher: teacher.length, practice: practice.length, teacherEm };
}

/** The variant's warm-up weights (saved in --work; with --resume, read from there). Later variants start from the first's. */
async function warmupWeights(run: Run, sh: Shared, v: DefaultPolicyVariant, sequences: readonly RolloutSequence[]): Promise<Map<string, WeightTensor>> {
  const { config } = sh.files;
  // later variants start from the first variant's warm-up (it already copies and knows the protocol)
  const first = DEFAULT_POLICY_VARIANTS[0] as DefaultPolicyVariant;
  const firstSft = join(run.work, `${first.name}.sft.safetensors`);
  const from = v.name === first.name ? sh.files.weights : (sh.sftWeights.get(first.name) ?? (existsSync(firstSft) ? readWeights(firstSft, config) : undefined));
  if (from === undefined) throw new Error(`${v.name} starts from ${first.name}'s warm-up: train ${first.name} first (same --work).`);
  const sftFile = join(run.work, `${v.name}.sft.safetensors`);
  let warm: Map<string, WeightTensor>;
  if (existsSync(sftFile) && run.flags.get('resume') === 'true') {
    warm = readWeights(sftFile, config);
    run.log(`${v.name}: warm-up weights from ${sftFile}`);
  } else {
    warm = await runWarmup(config, from, sequences, sh.tokenIds, v, run.seed, run.log);
    saveWeights(sftFile, warm, { format: 'router-r1-default-sft', variant: v.name });
  }
  sh.sftWeights.set(v.name, warm);
  return warm;
}

/** The facts beside the work folder, and the finished folder copied into <out> (without them). */
function publishVariant(run: Run, v: DefaultPolicyVariant, dir: string, facts: CardFacts): void {
  writeFileSync(join(dir, 'train-facts.json'), JSON.stringify(facts, null, 2) + '\n');
  rmSync(join(run.out, v.name), { recursive: true, force: true });
  mkdirSync(run.out, { recursive: true });
  cpSync(dir, join(run.out, v.name), { recursive: true, filter: (src) => !src.endsWith('train-facts.json') });
  run.line({ type: 'train-default.variant', name: v.name, alpha: v.alpha, wallSeconds: facts.wallSeconds, dir: join(run.out, v.name) });
}

const sum = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0);
const mean = (a: readonly number[]): number => (a.length === 0 ? 0 : sum(a) / a.length);
