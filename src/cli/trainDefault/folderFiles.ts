/**
 * The files of a train-default model folder (HF config/tokenizer/generation files, router.json, the q4
 * decoder) and the weight files its stages hand each other (HF-named safetensors). Must not: train.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EMBEDDED_DECODING, warmupFolderName, type DefaultPolicyVariant } from '../../core/defaultPolicy/defaultModel';
import { ROUTER_JSON_FORMAT, serializeRouterJson } from '../../core/model/routerJson';
import { writeSafetensors } from '../../core/model/safetensors';
import { buildDecoderModel } from '../../core/onnx/buildDecoder';
import type { DecoderConfig } from '../../core/onnx/decoderConfig';
import type { WeightTensor } from '../../core/onnx/weights';
import { bpeTokenizerConfig } from '../../core/tokenizer/bpeTrainer';
import { loadInitialWeights } from '../train/trainSetup';

/** HF-named weights written by an earlier stage (checked against the config like a `model.init` file). */
export function readWeights(file: string, config: DecoderConfig): Map<string, WeightTensor> {
  return loadInitialWeights(dirname(file), config, { kind: 'safetensors', path: file });
}

export function saveWeights(file: string, w: Map<string, WeightTensor>, meta: Record<string, string>): void {
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
export function writeFolder(dir: string, v: DefaultPolicyVariant, f: FolderFiles): void {
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

