/** `convert` through the CLI command: a checkpoint folder → a folder with external data that onnxruntime-node loads and that matches the reference. */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsModelSource } from '../../adapters/node/modelFs';
import { runDecoder } from '../../adapters/node/ortNode';
import { loadModelFolder } from '../../core/model/modelFolder';
import { makeTestCheckpoint } from '../../testing/testCheckpoints';
import { dequantisedWeights } from '../../core/model/tinyRouter';
import { referenceForward } from '../../core/onnx/referenceForward';
import { runConvertCommand } from './convertCommand';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'convert-cli-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function captured(): { io: { stdout: { write(s: string): void }; stderr: { write(s: string): void } }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { stdout: { write: (s) => void (out += s) }, stderr: { write: (s) => void (err += s) } }, out: () => out, err: () => err };
}

describe('npm run -s cli -- convert', () => {
  it('converts with --external-data always; onnxruntime loads the folder and matches the reference within 1e-3', async () => {
    const ckpt = makeTestCheckpoint({ family: 'qwen2', seed: 5 });
    const src = join(root, 'ckpt');
    for (const [path, contents] of ckpt.files) {
      await mkdir(dirname(join(src, path)), { recursive: true });
      await writeFile(join(src, path), contents);
    }
    const out = join(root, 'out');
    const c = captured();
    expect(await runConvertCommand([src, out], new Map([['external-data', 'always'], ['preset', 'router-r1-qwen-alpha0.9']]), c.io)).toBe(0);
    expect(c.err()).toMatch(/tensor \d+\/\d+/);
    const summary = JSON.parse(c.out()) as { files: { path: string }[]; router: { alpha: number; prompt_template: string } };
    expect(summary.files.map((f) => f.path)).toContain('onnx/model_q4.onnx_data');
    expect(summary.router).toMatchObject({ alpha: 0.9, prompt_template: 'qwen' });

    const session = await ort.InferenceSession.create(join(out, 'onnx/model_q4.onnx'), { executionProviders: ['cpu'] });
    const tokens = [269, 117, 115, 260, 10, 87, 270];
    const cfg = ckpt.config;
    const got = await runDecoder(session, { numLayers: cfg.numLayers, numKvHeads: cfg.numKvHeads, headDim: cfg.headDim }, { inputIds: [tokens] });
    const ref = referenceForward(cfg, dequantisedWeights(cfg, ckpt.weights), tokens).logits;
    expect(Math.max(...Array.from(ref, (x, i) => Math.abs(x - (got.logits[i] ?? NaN))))).toBeLessThan(1e-3);
    const folder = await loadModelFolder(createFsModelSource(out));
    expect(folder.externalData.map((d) => d.path)).toEqual(['model_q4.onnx_data']);
  });

  it('explains bad arguments', async () => {
    const c = captured();
    expect(await runConvertCommand([], new Map(), c.io)).toBe(2);
    expect(c.err()).toMatch(/Usage: npm run -s cli -- convert <folder-or-url-prefix> <out-dir>/);
    await expect(runConvertCommand(['a', 'b'], new Map([['preset', 'gpt-5']]), c.io)).rejects.toThrow(/Unknown preset "gpt-5"; use one of router-r1-qwen/);
    await expect(runConvertCommand(['a', 'b'], new Map([['precision', 'int8']]), c.io)).rejects.toThrow(/--precision must be q4 or fp32/);
  });
});
