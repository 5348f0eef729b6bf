/**
 * What `cli train` builds before the loop: the model folder (config, tokenizer, chat framing, EOS ids),
 * the starting weights, the ONNX learner on onnxruntime-node and the rollout model. Shared by the RL
 * and the supervised modes, and by the benchmark.
 */
import { existsSync, readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { loadModelFolder, ONNX_VARIANTS, type LoadedModelFolder } from '../../core/model/modelFolder';
import { buildDecoderModel } from '../../core/onnx/buildDecoder';
import type { DecoderConfig } from '../../core/onnx/decoderConfig';
import { DecoderWeightsReadError, readDecoderWeights } from '../../core/onnx/readDecoderWeights';
import { createSeededUniform } from '../../core/onnx/weights';
import { expectedWeightShapes, mixWeights, randomDecoderWeights, WeightShapeError, type WeightTensor } from '../../core/onnx/weights';
import { NO_CHAT_FRAMING, type ChatFraming } from '../../core/policy/tokenizedChat';
import { checkTrainingFits } from '../../core/learner/memoryEstimate';
import { createOnnxLearner, type OnnxLearner } from '../../core/learner/onnxLearner';
import type { TrainableSet } from '../../core/autodiff/trainGraph';
import { createFsModelSource } from '../../adapters/node/modelFs';
import { nodeTrainSessions } from '../../adapters/node/nodeTrainSession';
import { createChatFraming } from '../../adapters/tokenizers/chatTemplate';
import { createHfTokenizer, type HfTokenizer } from '../../adapters/tokenizers/hfTokenizer';
import { readSafetensorsFile } from './fsCheckpointStore';
import type { TrainFileConfig, TrainableSpec, WeightsInit } from './trainFileConfig';

export class TrainSetupError extends Error {
  override name = 'TrainSetupError';
}

export interface TrainModel {
  folder: LoadedModelFolder;
  config: DecoderConfig;
  tokenizer: HfTokenizer;
  framing: ChatFraming;
  eosTokenIds: number[];
}

export async function loadTrainModel(dir: string): Promise<TrainModel> {
  const folder = await loadModelFolder(createFsModelSource(dir), { preference: ['fp32', 'q4'] });
  const tokenizer = createHfTokenizer(folder.tokenizerJson, folder.tokenizerConfig, { modelVocabSize: folder.config.vocabSize });
  const template = folder.router?.prompt_template ?? 'compact';
  if (template !== 'compact') throw new TrainSetupError(`${dir}: router.json asks for the '${template}' prompt template; cli train renders the compact template only (set prompt_template to 'compact').`);
  // As the app's policy runtime: the compact template is fed without the model's chat template.
  const framing = folder.tokenizerConfig['chat_template'] === undefined || template === 'compact' ? NO_CHAT_FRAMING : createChatFraming(tokenizer.config, tokenizer);
  return { folder, config: folder.config, tokenizer, framing, eosTokenIds: eosIds(folder, tokenizer) };
}

function eosIds(folder: LoadedModelFolder, tokenizer: HfTokenizer): number[] {
  for (const raw of [folder.generationConfig?.['eos_token_id'], folder.configJson['eos_token_id']]) {
    if (typeof raw === 'number') return [raw];
    if (Array.isArray(raw) && raw.every((x) => typeof x === 'number')) return raw as number[];
  }
  return tokenizer.eosTokenId === undefined ? [] : [tokenizer.eosTokenId];
}

/**
 * The starting weights. Seeded-random weights are what src/core/model/tinyRouter.ts wrote; when the
 * folder's fp32 ONNX is small enough to compare, the rebuilt bytes must equal it (wrong seed → error).
 * 'folder' reads the folder's own ONNX (readFolderWeights); 'safetensors' an HF-named file.
 */
export function loadInitialWeights(dir: string, config: DecoderConfig, init: WeightsInit): Map<string, WeightTensor> {
  if (init.kind === 'seeded-random') {
    const weights = randomDecoderWeights(config, createSeededUniform(init.seed));
    const onnx = join(dir, 'onnx/model.onnx');
    if (existsSync(onnx) && readFileSync(onnx).byteLength < 64 * 2 ** 20) {
      const a = readFileSync(onnx);
      const b = buildDecoderModel(config, weights, { precision: 'fp32' });
      if (a.byteLength !== b.byteLength || !a.equals(b)) throw new TrainSetupError(`Seed ${init.seed} does not regenerate ${onnx}; use the seed the folder was made with (tiny-router: see its MODEL_CARD.md).`);
    }
    return weights;
  }
  if (init.kind === 'folder') return readFolderWeights(dir, config);
  if (init.kind === 'mix') {
    try {
      return mixWeights(readFolderWeights(dir, config), readFolderWeights(init.with, config), init.weight);
    } catch (err) {
      if (err instanceof WeightShapeError) throw new TrainSetupError(`model.init {kind:'mix'}: ${err.message}`, { cause: err });
      throw err;
    }
  }
  const flat = readSafetensorsFile(init.path);
  const out = new Map<string, WeightTensor>();
  for (const [name, shape] of expectedWeightShapes(config)) {
    const data = flat.get(name);
    const count = shape.reduce((x, y) => x * y, 1);
    if (data === undefined || data.length !== count) throw new TrainSetupError(`${init.path}: tensor ${name} is missing or not ${count} values ([${shape.join(', ')}]); the file is from another model.`);
    out.set(name, { data, shape });
  }
  return out;
}

/**
 * The weights of the folder's own ONNX decoder (core/onnx/readDecoderWeights.ts): onnx/model.onnx (fp32,
 * exact) when present, else onnx/model_q4.onnx with its linear layers dequantised — exactly the weights the
 * q4 model computes with, so step 0 of training scores what the shipped policy does.
 */
export function readFolderWeights(dir: string, config: DecoderConfig): Map<string, WeightTensor> {
  for (const file of [ONNX_VARIANTS.fp32, ONNX_VARIANTS.q4]) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    try {
      return readDecoderWeights(new Uint8Array(readFileSync(path)), config, path).weights;
    } catch (err) {
      if (err instanceof DecoderWeightsReadError) throw new TrainSetupError(`model.init {kind:'folder'}: ${err.message}`, { cause: err });
      throw err;
    }
  }
  throw new TrainSetupError(`model.init {kind:'folder'}: ${dir} has neither ${ONNX_VARIANTS.fp32} nor ${ONNX_VARIANTS.q4} to read the starting weights from.`);
}

export function trainableSet(spec: TrainableSpec): TrainableSet {
  if (spec.kind === 'full') return { kind: 'full' };
  return { kind: 'lora', lora: { rank: spec.rank, alpha: spec.alpha, targets: spec.targets, ...(spec.layers === undefined ? {} : { layers: spec.layers }) } };
}

/** What one training-graph run may use in the CLI: onnxruntime-node has no heap ceiling of its own, so the machine's memory. */
export function cliRunBudget(): number {
  return totalmem();
}

/**
 * Refuses (TrainSetupError) a configuration whose single worst-case sequence (the rollout settings' limits)
 * does not fit `budgetBytes` with the model's parameters and gradients (core/learner/memoryEstimate.ts), with
 * the estimate's parts and what to change.
 */
export function assertTrainingFits(cfg: TrainFileConfig, config: DecoderConfig, budgetBytes = cliRunBudget()): void {
  const tooBig = checkTrainingFits({ config, trainable: trainableSet(cfg.model.trainable), valueHead: cfg.run.algorithm === 'ppo', settings: cfg.rollout.settings, budgetBytes, budgetLabel: "this machine's memory (os.totalmem)" });
  if (tooBig !== null) throw new TrainSetupError(`${cfg.model.dir}: ${tooBig}`);
}

export async function createCliLearner(cfg: TrainFileConfig, model: TrainModel, weights: Map<string, WeightTensor>, maxRunBytes = cliRunBudget()): Promise<OnnxLearner> {
  const spec = cfg.model.trainable;
  return createOnnxLearner({
    maxRunBytes, // a batch larger than this runs in row chunks
    config: model.config,
    weights,
    trainable: trainableSet(spec),
    open: nodeTrainSessions({ intraOpThreads: cfg.model.threads }),
    valueHead: cfg.run.algorithm === 'ppo', // PPO's critic; GRPO needs none
    ...(spec.kind === 'lora' ? { loraRng: createSeededUniform(spec.seed) } : {}),
  });
}
