/**
 * The committed tiny router (public/models/tiny-router/) loads through the model-folder loader with the
 * node fs source, its golden.json holds under onnxruntime-node (fp32 1e-4, q4 1e-3, greedy ids exact),
 * and its tokenizer files agree with the golden prompt ids and our ChatML template.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelFolder, type OnnxVariant } from '../../core/model/modelFolder';
import { TINY_ROUTER_PROMPT } from '../../core/model/tinyRouter';
import { createChatFraming, renderChatTemplate } from '../tokenizers/chatTemplate';
import { createHfTokenizer, type TokenizerConfigJson } from '../tokenizers/hfTokenizer';
import { createFsModelSink, createFsModelSource } from './modelFs';
import { createNodeSession, runDecoder } from './ortNode';

const DIR = 'public/models/tiny-router';

interface Golden {
  promptText: string;
  promptIds: number[];
  steps: number;
  fp32: { greedyIds: number[]; firstLogits: number[]; tolerance: number };
  q4: { greedyIds: number[]; firstLogits: number[]; tolerance: number };
}

describe('public/models/tiny-router', () => {
  const golden = readFile(join(DIR, 'golden.json'), 'utf8').then((t) => JSON.parse(t) as Golden);

  for (const variant of ['fp32', 'q4'] as const satisfies readonly OnnxVariant[]) {
    it(`${variant}: loads with the fs source and reproduces golden.json on onnxruntime-node`, async () => {
      const g = await golden;
      const folder = await loadModelFolder(createFsModelSource(DIR), { preference: [variant] });
      const c = folder.config;
      const session = await createNodeSession(folder.onnx.bytes);
      const layout = { numLayers: c.numLayers, numKvHeads: c.numKvHeads, headDim: c.headDim };
      let step = await runDecoder(session, layout, { inputIds: [g.promptIds] });
      const lastRow = (logits: Float32Array): Float32Array => logits.subarray(logits.length - c.vocabSize);
      const first = lastRow(step.logits);
      g[variant].firstLogits.forEach((x, i) => expect(Math.abs((first[i] ?? NaN) - x)).toBeLessThan(g[variant].tolerance));
      const ids: number[] = [];
      for (let s = 0; s < g.steps; s++) {
        const row = lastRow(step.logits);
        let best = 0;
        for (let t = 1; t < folder.tokenizerVocabSize; t++) if ((row[t] ?? -Infinity) > (row[best] ?? -Infinity)) best = t;
        ids.push(best);
        step = await runDecoder(session, layout, { inputIds: [[best]], past: step.present });
      }
      expect(ids).toEqual(g[variant].greedyIds);
    });
  }

  it('its tokenizer encodes the golden prompt to the golden ids and its template renders it', async () => {
    const g = await golden;
    const folder = await loadModelFolder(createFsModelSource(DIR));
    const tok = createHfTokenizer(folder.tokenizerJson, folder.tokenizerConfig, { modelVocabSize: folder.config.vocabSize });
    expect(tok.encode(g.promptText)).toEqual(g.promptIds);
    expect(tok.decode(g.promptIds)).toBe(g.promptText);
    expect(tok.eosTokenId).toBe(270);
    const config = folder.tokenizerConfig as TokenizerConfigJson;
    expect(renderChatTemplate(config, [{ role: 'user', content: TINY_ROUTER_PROMPT }], { add_generation_prompt: true })).toBe(g.promptText);
    expect(createChatFraming(config, tok).prefixText).toBe('<|im_start|>system\nYou are a router.<|im_end|>\n<|im_start|>user\n');
  });

  it('the fs source reads ranges and refuses paths outside the folder; the sink streams chunks', async () => {
    const src = createFsModelSource(DIR);
    const bytes = await src.openBytes!('onnx/model_q4.onnx');
    const whole = await src.readBytes('onnx/model_q4.onnx');
    expect(await bytes.read(100, 50)).toEqual(whole.subarray(100, 150));
    await expect(src.readText('../../package.json')).rejects.toThrow(/not a path inside the model folder/);
    await expect(src.readText('missing.json')).rejects.toMatchObject({ missing: true });
    expect(await src.exists('onnx')).toBe(false);
    const tmp = await mkdtemp(join(tmpdir(), 'sink-'));
    try {
      await createFsModelSink(tmp).writeFile('a/b.bin', [Uint8Array.of(1, 2), Uint8Array.of(3)]);
      expect([...(await readFile(join(tmp, 'a/b.bin')))]).toEqual([1, 2, 3]);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
