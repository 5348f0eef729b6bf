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
import { join, resolve } from 'node:path';
import { createFsDataRoot, defaultDataRootDir } from '../../adapters/node/fsDataRoot';
import { bankTeacherPlan, buildTokenizerCorpusFor, runTeacherEpisodes, trainingBankQuestions } from '../../core/defaultPolicy/corpus';
import { DEFAULT_BPE_VOCAB, DEFAULT_POLICY_SEED, DEFAULT_POLICY_VARIANTS, defaultPolicyConfigJson, embeddedIndex, EMBEDDED_INDEX_FILE, initialDecoderWeights, parameterCount, variantPlan, type DefaultPolicyVariant } from '../../core/defaultPolicy/defaultModel';
import { bpeTokenizerConfig, trainByteLevelBpe } from '../../core/defaultPolicy/bpeTrainer';
import { syntheticTrainingBank } from '../../core/defaultPolicy/augment';
import { isHeldOutQuestion } from '../../core/eval/heldOut';
import { createOfflineCaller } from '../../core/offline/offlineCaller';
import { createRng } from '../../core/math/rng';
import { writeSafetensors } from '../../core/model/safetensors';
import { ROUTER_JSON_FORMAT, serializeRouterJson } from '../../core/model/routerJson';
import { loadOfflineBank, type OfflineBank } from '../../core/offline/offlineBank';
import { buildDecoderModel } from '../../core/onnx/buildDecoder';
import { parseDecoderConfig, type DecoderConfig } from '../../core/onnx/decoderConfig';
import type { WeightTensor } from '../../core/onnx/weights';
import { adamWStep, clipGradNorm, createAdamWState } from '../../core/rl/adamw';
import { trajectorySequence } from '../../core/rl/episodeRollout';
import { cloneParams, copyParamsInto, firstNonFinite } from '../../core/rl/paramMap';
import { learningRate, type LrSchedule } from '../../core/rl/schedule';
import { buildTrainInputs, tokenWeights, type RolloutSequence } from '../../core/rl/trainBatch';
import { createOnnxLearner } from '../../core/train/onnxLearner';
import { nodeTrainSessions } from '../../adapters/node/nodeTrainSession';
import { readSafetensorsFile } from '../train/fsCheckpointStore';
import { loadTrainModel, type TrainModel } from '../train/trainSetup';
import { evaluateFolderGreedy, type PolicySummary } from './greedyEval';
import { runVariantRl } from './variantRl';
import { writeModelCard, type CardFacts } from './modelCard';

export const TRAIN_DEFAULT_USAGE = `train-default [--seed N] [--data-root DIR] [--out DIR] [--work DIR] [--only NAME] [--skip-rl]
        [--sft-epochs N] [--rl-steps N]  (shorter runs for trying changes; the shipped folders use the defaults)
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
  const bank = await loadOfflineBank(createFsDataRoot(dataRoot));
  const training = trainingBankQuestions(bank);
  const heldOut = bank.questions.filter((q) => q.split === 'train' && isHeldOutQuestion(q.id));
  const plan = bankTeacherPlan(bank, training);
  log(`data: ${training.length} training questions, ${heldOut.length} held out (never trained on), data root ${dataRoot}`);

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

  const base = initialDecoderWeights(config, seed);
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
    const synthetic = syntheticTrainingBank(bank, v.sft.syntheticCopies, seed);
    const practice = await runTeacherEpisodes(synthetic, synthetic.questions, { ...teacherOf(v), tokenizer: model.tokenizer, caller: createOfflineCaller(synthetic) });
    const sequences = [...teacher, ...practice].map((t) => trajectorySequence(t, model.tokenizer, model.framing));
    const teacherEm = mean(teacher.map((t) => t.reward?.em ?? 0));
    log(`${v.name}: ${teacher.length} teacher trajectories (EM ${teacherEm.toFixed(3)} on training questions) + ${practice.length} on shuffled training questions (copy practice), ${sum(sequences.map((s) => s.tokenIds.length)).toLocaleString('en')} tokens, ${sum(sequences.map((s) => sum(s.policyMask))).toLocaleString('en')} policy tokens`);
    const from = v.name === variants[0]?.name ? base : (sftWeights.get(variants[0]?.name ?? '') ?? base);
    const sftFile = join(work, `${v.name}.sft.safetensors`);
    let warm: Map<string, WeightTensor>;
    if (existsSync(sftFile) && flags.get('resume') === 'true') {
      warm = readWeights(sftFile, config);
      log(`${v.name}: warm-up weights from ${sftFile}`);
    } else {
      warm = await supervised(config, from, sequences, v, seed, log);
      writeFileSync(sftFile, writeSafetensors([...warm].map(([name, t]) => ({ name, shape: t.shape, data: t.data })), { format: 'router-r1-default-sft', variant: v.name }));
    }
    sftWeights.set(v.name, warm);
    writeFolder(dir, v, { configJson, tokenizerJson: bpe.json, config, weights: warm, seed });
    const sftHeld = await evaluateFolderGreedy(dir, bank, heldOut.slice(0, 48), { alpha: v.alpha, now: io.now });
    log(`${v.name}: after warm-up, 48 held-out questions: ${fmt(sftHeld)}`);

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
    const held = await evaluateFolderGreedy(dir, bank, heldOut, { alpha: v.alpha, now: io.now });
    log(`${v.name}: held-out (${heldOut.length}): ${fmt(held)}`);
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
      heldOut: held,
      afterWarmup: sftHeld,
      onnxBytes: readFileSync(join(dir, 'onnx/model_q4.onnx')).byteLength,
    };
    writeModelCard(dir, facts);
    rmSync(join(out, v.name), { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    cpSync(dir, join(out, v.name), { recursive: true });
    line({ type: 'train-default.variant', name: v.name, alpha: v.alpha, heldOut: held, afterWarmup: sftHeld, wallSeconds: facts.wallSeconds, dir: join(out, v.name) });
  }
  writeFileSync(join(out, EMBEDDED_INDEX_FILE), JSON.stringify(index, null, 2) + '\n');
  log(`done: ${variants.map((v) => join(out, v.name)).join(', ')} and ${join(out, EMBEDDED_INDEX_FILE)}`);
  return 0;
}

function fmt(s: PolicySummary): string {
  return `EM ${s.em.toFixed(3)}, F1 ${s.f1.toFixed(3)}, cost ${s.cost.toFixed(2)}, calls ${s.calls.toFixed(2)}, format-valid ${(s.format_valid * 100).toFixed(1)}%`;
}

const sum = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0);
const mean = (a: readonly number[]): number => (a.length === 0 ? 0 : sum(a) / a.length);

function readWeights(file: string, config: DecoderConfig): Map<string, WeightTensor> {
  const flat = readSafetensorsFile(file);
  const out = new Map<string, WeightTensor>();
  for (const [name, t] of initialDecoderWeights(config, 0)) out.set(name, { data: flat.get(name) as Float32Array, shape: t.shape });
  return out;
}

interface FolderFiles {
  configJson: Record<string, unknown>;
  tokenizerJson: Record<string, unknown>;
  config: DecoderConfig;
  weights: Map<string, WeightTensor>;
  seed: number;
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
      provenance: { source: 'router-r1-studio train-default', producer: `router-r1-studio train-default (seed ${f.seed})`, license: 'Apache-2.0', notes: v.summary },
    }),
  );
  writeFileSync(join(dir, 'onnx/model_q4.onnx'), buildDecoderModel(f.config, f.weights, { precision: 'q4' }));
}

/** Token cross-entropy on the teacher's turns: length-bucketed minibatches, AdamW, warm-up + cosine. */
async function supervised(config: DecoderConfig, start: Map<string, WeightTensor>, sequences: readonly RolloutSequence[], v: DefaultPolicyVariant, seed: number, log: (s: string) => void): Promise<Map<string, WeightTensor>> {
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
        const inputs = buildTrainInputs(batch);
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
    const outW = new Map<string, WeightTensor>();
    for (const [name, t] of learner.currentWeights()) outW.set(name, { data: Float32Array.from(t.data), shape: [...t.shape] });
    return outW;
  } finally {
    await learner.dispose();
  }
}

/** Shuffled minibatches of similar lengths (less padding): shuffle, sort runs of 8 batches by length, cut, shuffle the batches. */
function lengthBuckets(seqs: readonly RolloutSequence[], size: number, rng: { nextUint32(): number }): RolloutSequence[][] {
  const idx = seqs.map((_, i) => i);
  shuffleInPlace(idx, rng);
  const batches: RolloutSequence[][] = [];
  const run = size * 8;
  for (let s = 0; s < idx.length; s += run) {
    const chunk = idx.slice(s, s + run).sort((a, b) => (seqs[a] as RolloutSequence).tokenIds.length - (seqs[b] as RolloutSequence).tokenIds.length);
    for (let k = 0; k < chunk.length; k += size) batches.push(chunk.slice(k, k + size).map((i) => seqs[i] as RolloutSequence));
  }
  shuffleInPlace(batches, rng);
  return batches;
}

function shuffleInPlace<T>(a: T[], rng: { nextUint32(): number }): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.nextUint32() % (i + 1);
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
}

export type { TrainModel, OfflineBank };
