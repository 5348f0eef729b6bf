import { describe, expect, it } from 'vitest';
import { encodeModelWithExternalData } from './externalData';
import { chooseOnnxFile, loadModelFolder, ModelFolderError, tokenizerVocabSize, type ModelFolderErrorKind } from './modelFolder';
import { createMemoryModelSource } from './modelSource';
import { makeTinyRouterFolder } from './tinyRouter';
import { streamDecoderGraph } from './streamingDecoder';
import { parseDecoderConfig } from '../onnx/decoderConfig';
import { randomDecoderWeights } from '../onnx/weights';
import { createSeededUniform } from '../onnx/weights';

const tiny = makeTinyRouterFolder();
const folder = (edit: (m: Map<string, string | Uint8Array>) => void = () => undefined): Map<string, string | Uint8Array> => {
  const m = new Map(tiny);
  edit(m);
  return m;
};
/** config.json with some fields changed. */
const doctor = (edit: Record<string, unknown>) => (m: Map<string, string | Uint8Array>): void => {
  m.set('config.json', JSON.stringify({ ...JSON.parse(tiny.get('config.json') as string), ...edit }));
};
async function failure(files: Map<string, string | Uint8Array>): Promise<ModelFolderError> {
  const err = await loadModelFolder(createMemoryModelSource(files, 'tiny')).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ModelFolderError);
  return err as ModelFolderError;
}

describe('loadModelFolder', () => {
  it('loads the tiny router: config, tokenizer files, router.json, q4 first', async () => {
    const progress: number[] = [];
    const m = await loadModelFolder(createMemoryModelSource(tiny, 'tiny'), { onProgress: (p) => progress.push(p.loadedBytes) });
    expect(m.config).toMatchObject({ modelType: 'qwen2', numLayers: 2, hiddenSize: 64, vocabSize: 272 });
    expect(m.tokenizerVocabSize).toBe(271);
    expect(m.onnx.path).toBe('onnx/model_q4.onnx');
    expect(m.onnx.summary.outputs[0]).toBe('logits');
    expect(m.router?.prompt_template).toBe('compact');
    expect(m.externalData).toEqual([]);
    expect(progress.at(-1)).toBe(m.onnx.bytes.byteLength);
    const fp32 = await loadModelFolder(createMemoryModelSource(tiny), { preference: ['fp32', 'q4'] });
    expect(fp32.onnx.variant).toBe('fp32');
  });

  it('picks community exports by preference (q4 → q4f16 → fp32 → fp16)', async () => {
    const src = createMemoryModelSource({ 'onnx/model_fp16.onnx': '', 'onnx/model_q4f16.onnx': '' });
    expect(await chooseOnnxFile(src, ['q4', 'q4f16', 'fp32', 'fp16'])).toEqual({ path: 'onnx/model_q4f16.onnx', variant: 'q4f16' });
  });

  const bad: [string, ModelFolderErrorKind, RegExp, (m: Map<string, string | Uint8Array>) => void][] = [
    ['a missing tokenizer', 'missing-file', /has no tokenizer\.json.*copy the missing file/, (m) => m.delete('tokenizer.json')],
    ['no onnx file', 'missing-file', /has none of onnx\/model_q4\.onnx.*Convert the checkpoint first/, (m) => (m.delete('onnx/model_q4.onnx'), m.delete('onnx/model.onnx'))],
    ['a truncated onnx file', 'truncated-onnx', /truncated or not an ONNX model.*download it again/, (m) => m.set('onnx/model_q4.onnx', (tiny.get('onnx/model_q4.onnx') as Uint8Array).subarray(0, 5000))],
    ['a truncated config', 'invalid-json', /config\.json is not valid JSON/, (m) => m.set('config.json', (tiny.get('config.json') as string).slice(0, 40))],
    ['a tokenizer bigger than the logits', 'tokenizer-mismatch', /271 tokens but the model has only 200 logits/, (m) => m.set('config.json', JSON.stringify({ ...JSON.parse(tiny.get('config.json') as string), vocab_size: 200 }))],
    ['a config of another depth', 'not-a-decoder', /lacks the inputs past_key_values\.2\.key/, (m) => m.set('config.json', JSON.stringify({ ...JSON.parse(tiny.get('config.json') as string), num_hidden_layers: 3 }))],
    ['an unsupported family', 'invalid-config', /model_type "gpt2" is not supported/, (m) => m.set('config.json', JSON.stringify({ model_type: 'gpt2' }))],
    // config.json against the graph (the tiny router: 2 layers, hidden 64, 4 heads × 16, 2 KV heads, vocab 272, 512 positions)
    ['a hidden size the graph does not have ("3.7 TB")', 'config-mismatch', /config\.json's hidden_size is 1000000000 but the graph has 64 \(model\.norm\.weight \[64\]\).*use the config\.json exported with it/, doctor({ hidden_size: 1e9 })],
    ['more positions than the rotary cache', 'config-mismatch', /max_position_embeddings is 1000000000000 but the graph embeds only 512 positions \(rotary\.cos_cache \[512, 8\]\); an episode past them would fail inside onnxruntime/, doctor({ max_position_embeddings: 1e12 })],
    ['a shallower config', 'config-mismatch', /num_hidden_layers is 1 but the graph has 2/, doctor({ num_hidden_layers: 1 })],
    ['another head count', 'config-mismatch', /num_attention_heads is 8 but the graph has 4 \(model\.layers\.0\.self_attn\.q_proj\.weight_q4 \[64, /, doctor({ num_attention_heads: 8, head_dim: 16 })],
    ['another KV head count', 'config-mismatch', /num_key_value_heads is 4 but the graph has 2 \(past_key_values\.0\.key/, doctor({ num_key_value_heads: 4 })],
    ['a bigger vocabulary than the logits', 'config-mismatch', /vocab_size is 300 but the graph has 272 \(the logits output \[batch_size, sequence_length, 272\]\)/, doctor({ vocab_size: 300 })],
  ];
  for (const [what, kind, message, edit] of bad) {
    it(`explains ${what}`, async () => {
      const err = await failure(folder(edit));
      expect(err.kind).toBe(kind);
      expect(err.message).toMatch(message);
    });
  }

  it('loads a config with fewer positions than the graph embeds (every limit stays inside the graph)', async () => {
    const m = await loadModelFolder(createMemoryModelSource(folder(doctor({ max_position_embeddings: 256 }))));
    expect(m.config.maxPositionEmbeddings).toBe(256);
  });

  it('fetches external data next to the model and checks its length', async () => {
    const config = parseDecoderConfig(JSON.parse(tiny.get('config.json') as string));
    const weights = randomDecoderWeights(config, createSeededUniform(1));
    const gen = streamDecoderGraph(config, async (n) => weights.get(n)!, { precision: 'q4' });
    let step = await gen.next();
    while (step.done !== true) step = await gen.next();
    const enc = encodeModelWithExternalData(step.value, { location: 'model_q4.onnx_data' });
    const data = new Uint8Array(enc.externalData!.byteLength);
    let at = 0;
    for (const c of enc.externalData!.chunks) (data.set(c, at), (at += c.byteLength));
    const withData = folder((m) => (m.set('onnx/model_q4.onnx', enc.model), m.set('onnx/model_q4.onnx_data', data)));
    const m = await loadModelFolder(createMemoryModelSource(withData));
    expect(m.externalData.map((d) => [d.path, d.bytes.byteLength])).toEqual([['model_q4.onnx_data', data.byteLength]]);
    withData.set('onnx/model_q4.onnx_data', data.subarray(0, 100));
    expect((await failure(withData)).message).toMatch(/model_q4\.onnx_data is 100 bytes but the model reads up to byte \d+: it is truncated/);
    withData.delete('onnx/model_q4.onnx_data');
    expect((await failure(withData)).message).toMatch(/keeps its weights in model_q4\.onnx_data, which is missing/);
  });

  it('counts a tokenizer\'s vocabulary with added tokens (BPE map and Unigram list)', () => {
    expect(tokenizerVocabSize({ model: { vocab: { a: 0, b: 7 } }, added_tokens: [{ id: 9 }] })).toBe(10);
    expect(tokenizerVocabSize({ model: { vocab: [['a', 0], ['b', -1]] } })).toBe(2);
    expect(() => tokenizerVocabSize({})).toThrow(/no "model\.vocab"/);
  });
});
