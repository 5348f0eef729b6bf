/**
 * `model.init: {kind:'folder'}`: the train file accepts it and loadInitialWeights reads the folder's own
 * ONNX — fp32 preferred (tiny-router: bit-equal to its seeded weights), else q4 dequantised (router-nano-a0:
 * the weights its q4 file computes with) — with a clear error for a folder without a readable decoder.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDecoderConfig } from '../../core/onnx/decoderConfig';
import { readDecoderWeights } from '../../core/onnx/readDecoderWeights';
import { createSeededUniform } from '../../core/onnx/weights';
import { randomDecoderWeights } from '../../core/onnx/weights';
import { TINY_ROUTER_SEED } from '../../core/model/tinyRouter';
import { parseTrainFileConfig, readTrainFileConfig, TrainFileConfigError } from './trainFileConfig';
import { assertTrainingFits, createCliLearner, loadInitialWeights, loadTrainModel, TrainSetupError } from './trainSetup';

const MODELS = resolve(import.meta.dirname, '../../../public/models');
const tmp = mkdtempSync(join(tmpdir(), 'train-setup-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const configOf = (dir: string) => parseDecoderConfig(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')));

describe("model.init {kind:'folder'}", () => {
  it('the train file accepts it (and still rejects an unknown kind)', () => {
    const raw = { run: { runId: 'r', seed: 1 }, model: { dir: 'public/models/router-nano-a0', init: { kind: 'folder' } } };
    expect(parseTrainFileConfig(raw, '/x').model.init).toEqual({ kind: 'folder' });
    expect(() => parseTrainFileConfig({ ...raw, model: { ...raw.model, init: { kind: 'hub' } } }, '/x')).toThrow(TrainFileConfigError);
    expect(() => parseTrainFileConfig({ ...raw, model: { ...raw.model, init: { kind: 'hub' } } }, '/x')).toThrow(/\{kind:'folder'\}/);
  });

  it('q4-only folder (router-nano-a0): the dequantised weights its q4 model computes with', () => {
    const dir = join(MODELS, 'router-nano-a0');
    const config = configOf(dir);
    const weights = loadInitialWeights(dir, config, { kind: 'folder' });
    const expected = readDecoderWeights(readFileSync(join(dir, 'onnx/model_q4.onnx')), config).weights;
    expect([...weights.keys()]).toEqual([...expected.keys()]);
    for (const [name, t] of expected) expect(weights.get(name)?.data.every((v, i) => Object.is(v, t.data[i])), name).toBe(true);
  });

  it('a folder with fp32 (tiny-router) reads onnx/model.onnx: bit-equal to its seeded weights', () => {
    const dir = join(MODELS, 'tiny-router');
    const config = configOf(dir);
    const weights = loadInitialWeights(dir, config, { kind: 'folder' });
    for (const [name, t] of randomDecoderWeights(config, createSeededUniform(TINY_ROUTER_SEED))) expect(weights.get(name)?.data.every((v, i) => Object.is(v, t.data[i])), name).toBe(true);
  });

  it('no ONNX, or one that is not our decoder: a TrainSetupError saying so', () => {
    const src = join(MODELS, 'router-nano-a0');
    const config = configOf(src);
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    expect(() => loadInitialWeights(empty, config, { kind: 'folder' })).toThrow(/has neither onnx\/model\.onnx nor onnx\/model_q4\.onnx/);
    const broken = join(tmp, 'broken');
    mkdirSync(join(broken, 'onnx'), { recursive: true });
    copyFileSync(join(src, 'config.json'), join(broken, 'config.json'));
    writeFileSync(join(broken, 'onnx/model_q4.onnx'), readFileSync(join(src, 'onnx/model_q4.onnx')).subarray(0, 5000));
    expect(() => loadInitialWeights(broken, config, { kind: 'folder' })).toThrow(TrainSetupError);
    expect(() => loadInitialWeights(broken, config, { kind: 'folder' })).toThrow(/model_q4\.onnx is not a readable ONNX model/);
  });
});

describe("model.init {kind:'mix'}", () => {
  const a = join(MODELS, 'router-nano-a0-warmup');
  const b = join(MODELS, 'router-nano-a08-warmup');
  it('the train file resolves the second folder against the file and checks the weight', () => {
    const raw = { run: { runId: 'r', seed: 1 }, model: { dir: a, init: { kind: 'mix', with: '../m/b', weight: 0.5 } } };
    expect(parseTrainFileConfig(raw, '/cfg/x').model.init).toEqual({ kind: 'mix', with: resolve('/cfg/m/b'), weight: 0.5 });
    expect(() => parseTrainFileConfig({ ...raw, model: { ...raw.model, init: { kind: 'mix', with: 'b', weight: 2 } } }, '/x')).toThrow(TrainFileConfigError);
  });
  it('is (1 − t)·dir + t·with element by element: t = 0 and 1 give each folder, 0.5 the mean', () => {
    const config = configOf(a);
    const wa = loadInitialWeights(a, config, { kind: 'folder' });
    const wb = loadInitialWeights(b, config, { kind: 'folder' });
    const name = 'model.layers.0.self_attn.q_proj.weight';
    const at = (t: number) => loadInitialWeights(a, config, { kind: 'mix', with: b, weight: t }).get(name)?.data as Float32Array;
    const [x, y] = [wa.get(name)?.data as Float32Array, wb.get(name)?.data as Float32Array];
    expect(Array.from(at(0))).toEqual(Array.from(x));
    expect(Array.from(at(1))).toEqual(Array.from(y));
    const mid = at(0.5);
    for (const i of [0, 7, 1000]) expect(mid[i]).toBeCloseTo(((x[i] as number) + (y[i] as number)) / 2, 6);
    expect(x.some((v, i) => v !== y[i])).toBe(true); // the two warm-ups differ, so the mix is not trivial
  });
});

describe('createCliLearner', () => {
  it("builds the learner with a value head for run.algorithm 'ppo' (PPO's critic) and without one for GRPO", async () => {
    const dir = join(MODELS, 'tiny-router');
    const model = await loadTrainModel(dir);
    for (const algorithm of ['grpo', 'ppo'] as const) {
      const cfg = parseTrainFileConfig({ run: { runId: 'r', seed: 1, algorithm }, model: { dir, init: { kind: 'folder' } } }, '/x');
      const learner = await createCliLearner(cfg, model, loadInitialWeights(dir, model.config, cfg.model.init));
      try {
        expect(learner.hasValueHead).toBe(algorithm === 'ppo');
        expect(learner.params().has('value_head.weight')).toBe(algorithm === 'ppo');
        expect(learner.currentWeights().has('value_head.weight')).toBe(false);
      } finally {
        await learner.dispose();
      }
    }
  });
});

describe('cli train: a configuration that does not fit memory is refused before it starts', () => {
  const alphaShift = resolve(import.meta.dirname, 'examples/alpha-shift.json');

  it('the α-shift example (router-nano, 32 rows) fits this machine and a 4 GiB budget', () => {
    const cfg = readTrainFileConfig(alphaShift);
    const config = configOf(cfg.model.dir);
    expect(() => assertTrainingFits(cfg, config)).not.toThrow();
    expect(() => assertTrainingFits(cfg, config, 4 * 2 ** 30)).not.toThrow();
  });

  it('a budget below one worst-case row: a TrainSetupError with the parts and what to change', () => {
    const cfg = readTrainFileConfig(alphaShift);
    const config = configOf(cfg.model.dir);
    expect(() => assertTrainingFits(cfg, config, 256 * 2 ** 20)).toThrow(TrainSetupError);
    expect(() => assertTrainingFits(cfg, config, 256 * 2 ** 20)).toThrow(/single 4096-token sequence .*parameters .* \+ gradients .* = [\d.]+ GiB, above 256\.0 MiB \(this machine's memory.*LoRA.*smaller model.*maxNewTokens/);
  });
});
