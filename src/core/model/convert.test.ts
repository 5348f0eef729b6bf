/** The converter on in-memory folders (numerics against onnxruntime are in adapters/node/convertNode.test.ts). */
import { describe, expect, it } from 'vitest';
import { buildDecoderModel } from '../onnx/buildDecoder';
import { TokenizerMismatchError } from '../policy/languageModel';
import { CheckpointError } from './checkpoint';
import { convertCheckpoint, runConversion, type ConvertEvent } from './convert';
import { loadModelFolder } from './modelFolder';
import { createMemoryModelSink, createMemoryModelSource } from './modelSource';
import { findPreset, hfResolveUrl, presetForUrl, presetRouterJson, ROUTER_R1_PRESETS } from './presets';
import { parseRouterJson, serializeRouterJson } from './routerJson';
import { SafetensorsError } from './safetensors';
import { makeTestCheckpoint } from '../../testing/testCheckpoints';

async function convert(files: Map<string, string | Uint8Array>, location = 'ckpt', opts = {}) {
  const sink = createMemoryModelSink();
  const events: ConvertEvent[] = [];
  const result = await runConversion(convertCheckpoint(createMemoryModelSource(files, location), sink, opts), (e) => events.push(e));
  return { sink, events, result };
}

describe('convertCheckpoint', () => {
  it('writes the model folder; the ONNX equals buildDecoderModel on the same weights; progress per tensor', async () => {
    const ckpt = makeTestCheckpoint({ family: 'qwen2' });
    const { sink, events, result } = await convert(ckpt.files);
    expect([...sink.files.keys()].sort()).toEqual(['config.json', 'generation_config.json', 'onnx/model_q4.onnx', 'router.json', 'tokenizer.json', 'tokenizer_config.json']);
    expect(sink.files.get('onnx/model_q4.onnx')).toEqual(buildDecoderModel(ckpt.config, ckpt.weights, { precision: 'q4' }));
    const reads = events.filter((e) => e.type === 'convert.tensorRead');
    const started = events[0] as Extract<ConvertEvent, { type: 'convert.started' }>;
    expect(reads).toHaveLength(started.tensorCount);
    expect(reads.at(-1)).toMatchObject({ tensorIndex: started.tensorCount, bytesRead: started.totalBytes });
    expect(result.router).toMatchObject({ prompt_template: 'qwen', alpha: null });
    const loaded = await loadModelFolder(createMemoryModelSource(sink.files));
    expect(loaded.config).toEqual(ckpt.config);
  });

  it('handles sharded and bf16 checkpoints, and extra tensors such as rotary inv_freq', async () => {
    const ckpt = makeTestCheckpoint({ family: 'llama', dtype: 'BF16', shards: 3 });
    expect([...ckpt.files.keys()].filter((f) => f.endsWith('.safetensors'))).toHaveLength(3);
    const { sink, result } = await convert(ckpt.files);
    expect(sink.files.get('onnx/model_q4.onnx')).toEqual(buildDecoderModel(ckpt.config, ckpt.weights, { precision: 'q4' }));
    expect(result.router.prompt_template).toBe('llama');
  });

  it('writes external data when asked (always for a tiny model, automatically past 2 GiB)', async () => {
    const { sink } = await convert(makeTestCheckpoint().files, 'ckpt', { externalData: 'always' });
    expect(sink.files.has('onnx/model_q4.onnx_data')).toBe(true);
    const loaded = await loadModelFolder(createMemoryModelSource(sink.files));
    expect(loaded.externalData[0]?.path).toBe('model_q4.onnx_data');
  });

  it('gives the four Router-R1 presets their router.json (reference template by id, α)', async () => {
    const preset = findPreset('ulab-ai/Router-R1-Llama-3.2-3B-Instruct-Alpha0.9')!;
    const { result } = await convert(makeTestCheckpoint({ family: 'llama' }).files, hfResolveUrl(preset.repo));
    expect(result.router).toMatchObject({ prompt_template: 'llama', alpha: 0.9, pool: 'router-r1', provenance: { source: preset.repo } });
  });

  it('fails clearly: missing tokenizer (before reading weights), truncated safetensors, mismatched vocab, abort', async () => {
    const noTok = makeTestCheckpoint({ withoutTokenizer: true });
    const err = await convert(noTok.files).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toMatch(/has no tokenizer\.json.*copy them from the base model's repository/);

    const truncated = makeTestCheckpoint();
    const st = truncated.files.get('model.safetensors') as Uint8Array;
    truncated.files.set('model.safetensors', st.subarray(0, st.length - 100));
    await expect(convert(truncated.files)).rejects.toThrow(SafetensorsError);
    await expect(convert(truncated.files)).rejects.toThrow(/model\.safetensors is truncated.*download it again/);

    const small = makeTestCheckpoint();
    small.files.set('config.json', JSON.stringify({ ...JSON.parse(small.files.get('config.json') as string), vocab_size: 100 }));
    await expect(convert(small.files)).rejects.toThrow(TokenizerMismatchError);

    const ac = new AbortController();
    const sink = createMemoryModelSink();
    const gen = convertCheckpoint(createMemoryModelSource(makeTestCheckpoint().files), sink, { signal: ac.signal });
    await expect(runConversion(gen, (e) => e.type === 'convert.tensorRead' && e.tensorIndex === 3 && ac.abort(new Error('user cancelled')))).rejects.toThrow('user cancelled');
    expect(sink.files.size).toBe(0);
  });
});

describe('Router-R1 presets', () => {
  it('are the four released checkpoints with resolve/main/ prefixes', () => {
    expect(ROUTER_R1_PRESETS.map((p) => [p.repo, p.family, p.alpha, p.template])).toEqual([
      ['ulab-ai/Router-R1-Qwen2.5-3B-Instruct', 'qwen2', 0, 'qwen'],
      ['ulab-ai/Router-R1-Qwen2.5-3B-Instruct-Alpha0.9', 'qwen2', 0.9, 'qwen'],
      ['ulab-ai/Router-R1-Llama-3.2-3B-Instruct', 'llama', 0, 'llama'],
      ['ulab-ai/Router-R1-Llama-3.2-3B-Instruct-Alpha0.9', 'llama', 0.9, 'llama'],
    ]);
    expect(hfResolveUrl('ulab-ai/Router-R1-Qwen2.5-3B-Instruct')).toBe('https://huggingface.co/ulab-ai/Router-R1-Qwen2.5-3B-Instruct/resolve/main/');
    expect(presetForUrl('https://huggingface.co/ulab-ai/Router-R1-Qwen2.5-3B-Instruct/resolve/main/')?.id).toBe('router-r1-qwen');
    expect(presetForUrl('https://example.com/x/')).toBeUndefined();
  });

  it('router.json carries the template id, never its text, and validates', () => {
    const r = presetRouterJson(ROUTER_R1_PRESETS[0]!, 'test');
    const text = serializeRouterJson(r);
    expect(JSON.parse(text)).toEqual(r);
    expect(text).not.toMatch(/\{question\}/);
    expect(() => parseRouterJson({ ...r, prompt_template: 'mine' })).toThrow(/prompt_template/);
    expect(() => parseRouterJson({ ...r, alpha: 2 })).toThrow(/alpha/);
    expect(() => parseRouterJson({ ...r, format: 2 })).toThrow(/older than the model folder/);
  });
});
