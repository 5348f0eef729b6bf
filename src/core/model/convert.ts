/**
 * Convert a Hugging Face safetensors checkpoint (Qwen2 or Llama) into our model folder (DESIGN.md §3):
 *
 *   in:  config.json · model.safetensors | model.safetensors.index.json + shards · tokenizer.json ·
 *        tokenizer_config.json · generation_config.json (optional)
 *   out: config.json · tokenizer.json · tokenizer_config.json · generation_config.json (copied as they are) ·
 *        onnx/model_q4.onnx (+ onnx/model_q4.onnx_data past 2 GiB) · router.json
 *
 * One async generator of events (STYLE.md 3): 1. open and check the files (tokenizer before any weight is
 * read: a missing tokenizer fails in a second, not after 6 GB); 2. stream tensors into the graph (one event
 * per tensor); 3. encode, inline or with external data; 4. write the files. Every step takes the signal.
 *
 * Not for: the fused graph or fp32 output of big models (use buildDecoderModel for small ones).
 */
import type { DecoderModelType } from '../onnx/decoderConfig';
import type { Precision } from '../onnx/decoderGraph';
import { encodeModel } from '../onnx/onnxProto';
import { openCheckpoint, CheckpointError } from './checkpoint';
import { encodeModelWithExternalData, needsExternalData } from './externalData';
import { MODEL_FOLDER_FILES, tokenizerVocabSize, ONNX_VARIANTS } from './modelFolder';
import { ModelSourceError, type ModelSink, type ModelSource } from './modelSource';
import { presetForUrl, presetRouterJson } from './presets';
import { ROUTER_JSON_FILE, ROUTER_JSON_FORMAT, serializeRouterJson, type RouterJson } from './routerJson';
import { streamDecoderGraph } from './streamingDecoder';
import { checkTokenizerFitsModel } from '../policy/languageModel';

export const CONVERTER_NAME = 'router-r1-studio convert';

export interface ConvertOptions {
  precision?: Precision;
  /** 'auto' (default): external data only past protobuf's 2 GiB; 'always' / 'never' force it. */
  externalData?: 'auto' | 'always' | 'never';
  /** router.json to write; default: the preset's when the source is one of the four, else a generic one. */
  router?: RouterJson;
  signal?: AbortSignal;
}

export type ConvertEvent =
  | { type: 'convert.started'; location: string; modelType: string; tensorCount: number; totalBytes: number; weightFiles: string[] }
  | { type: 'convert.tensorRead'; name: string; tensorIndex: number; tensorCount: number; bytesRead: number; totalBytes: number }
  | { type: 'convert.encoded'; externalData: boolean; modelBytes: number; dataBytes: number }
  | { type: 'convert.fileWritten'; path: string; bytes: number }
  | { type: 'convert.finished'; files: { path: string; bytes: number }[] };

export interface ConvertResult {
  files: { path: string; bytes: number }[];
  router: RouterJson;
}

/** The onnx file the converter writes for a precision. */
export function convertedOnnxPath(precision: Precision): string {
  return precision === 'q4' ? ONNX_VARIANTS.q4 : ONNX_VARIANTS.fp32;
}

export async function* convertCheckpoint(source: ModelSource, sink: ModelSink, opts: ConvertOptions = {}): AsyncGenerator<ConvertEvent, ConvertResult> {
  const { signal } = opts;
  // q4 stays the converter's precision: q8 (int8 MatMulInteger) is 5–10× faster on wasm but its dynamic
  // activation quantisation misses the 1e-3 parity (0.07–0.24, ortNode.test.ts), and the model folder
  // layout has no q8 variant yet.
  const precision = opts.precision ?? 'q4';
  if (precision === 'q8') throw new Error("convertCheckpoint: precision 'q8' is not a converter output (use 'q4' or 'fp32').");
  const sig = signal === undefined ? {} : { signal };

  // 1. open: config, tokenizer files, safetensors headers
  const checkpoint = await openCheckpoint(source, sig);
  const tokenizerText = await readTokenizerFile(source, MODEL_FOLDER_FILES.tokenizer, signal);
  const tokenizerConfigText = await readTokenizerFile(source, MODEL_FOLDER_FILES.tokenizerConfig, signal);
  checkTokenizerFitsModel(tokenizerVocabSize(parseJson(tokenizerText, MODEL_FOLDER_FILES.tokenizer)), checkpoint.config.vocabSize);
  const generationText = (await source.exists(MODEL_FOLDER_FILES.generationConfig, sig)) ? await source.readText(MODEL_FOLDER_FILES.generationConfig, sig) : defaultGenerationConfig(checkpoint.configText);
  const router = opts.router ?? defaultRouterJson(source.location, precision, checkpoint.config.modelType);

  const needed = neededTensorBytes(checkpoint);
  yield { type: 'convert.started', location: source.location, modelType: checkpoint.config.modelType, tensorCount: needed.count, totalBytes: needed.bytes, weightFiles: checkpoint.files };

  // 2. stream the weights into the graph
  let bytesRead = 0;
  const graph = streamDecoderGraph(checkpoint.config, async (name) => {
    const t = await checkpoint.readTensor(name, sig);
    const entry = checkpoint.tensors.get(name)?.entry;
    bytesRead += entry === undefined ? 0 : entry.end - entry.begin;
    return t;
  }, { precision, ...sig });
  let step = await graph.next();
  while (step.done !== true) {
    yield { type: 'convert.tensorRead', name: step.value.name, tensorIndex: step.value.tensorIndex, tensorCount: step.value.tensorCount, bytesRead, totalBytes: needed.bytes };
    step = await graph.next();
  }
  const model = step.value;

  // 3. encode
  const onnxPath = convertedOnnxPath(precision);
  const dataName = `${onnxPath.slice(onnxPath.lastIndexOf('/') + 1)}_data`;
  const mode = opts.externalData ?? 'auto';
  const external = mode === 'always' || (mode === 'auto' && needsExternalData(model));
  const encoded = external ? encodeModelWithExternalData(model, { location: dataName }) : { model: encodeModel(model) };
  const data = 'externalData' in encoded ? encoded.externalData : undefined;
  yield { type: 'convert.encoded', externalData: data !== undefined, modelBytes: encoded.model.byteLength, dataBytes: data?.byteLength ?? 0 };

  // 4. write
  const text = (s: string): Uint8Array[] => [new TextEncoder().encode(s)];
  const outputs: [string, Uint8Array[]][] = [
    [MODEL_FOLDER_FILES.config, text(checkpoint.configText)],
    [MODEL_FOLDER_FILES.tokenizer, text(tokenizerText)],
    [MODEL_FOLDER_FILES.tokenizerConfig, text(tokenizerConfigText)],
    [MODEL_FOLDER_FILES.generationConfig, text(generationText)],
    [ROUTER_JSON_FILE, text(serializeRouterJson(router))],
    [onnxPath, [encoded.model]],
  ];
  if (data !== undefined) outputs.push([`onnx/${dataName}`, data.chunks]);
  const files: { path: string; bytes: number }[] = [];
  for (const [path, chunks] of outputs) {
    signal?.throwIfAborted();
    await sink.writeFile(path, chunks, sig);
    const bytes = chunks.reduce((n, c) => n + c.byteLength, 0);
    files.push({ path, bytes });
    yield { type: 'convert.fileWritten', path, bytes };
  }
  yield { type: 'convert.finished', files };
  return { files, router };
}

/** Drain a conversion, passing each event to `onEvent`; resolves to the result. */
export async function runConversion(gen: AsyncGenerator<ConvertEvent, ConvertResult>, onEvent: (e: ConvertEvent) => void = () => undefined): Promise<ConvertResult> {
  for (;;) {
    const step = await gen.next();
    if (step.done === true) return step.value;
    onEvent(step.value);
  }
}

function neededTensorBytes(checkpoint: Awaited<ReturnType<typeof openCheckpoint>>): { count: number; bytes: number } {
  let count = 0;
  let bytes = 0;
  const tied = checkpoint.config.tieWordEmbeddings;
  for (const [name, t] of checkpoint.tensors) {
    if (!/^model\.(embed_tokens|norm|layers\.\d+\.)/.test(name) && !(name === 'lm_head.weight' && !tied)) continue;
    if (name.includes('rotary_emb')) continue;
    count++;
    bytes += t.entry.end - t.entry.begin;
  }
  return { count, bytes };
}

async function readTokenizerFile(source: ModelSource, path: string, signal: AbortSignal | undefined): Promise<string> {
  try {
    return await source.readText(path, signal === undefined ? {} : { signal });
  } catch (err) {
    if (err instanceof ModelSourceError && err.missing) {
      throw new CheckpointError(
        `${source.location} has no ${path}. The converted folder needs the tokenizer files (tokenizer.json and tokenizer_config.json); ` +
          'copy them from the base model\'s repository (e.g. Qwen/Qwen2.5-3B-Instruct) into the checkpoint folder and convert again.',
      );
    }
    throw err;
  }
}

function parseJson(text: string, file: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new CheckpointError(`${file} is not valid JSON (${err instanceof Error ? err.message : String(err)}); download it again.`);
  }
}

/** generation_config.json from config.json's special ids, for checkpoints saved without one. */
function defaultGenerationConfig(configText: string): string {
  const c = JSON.parse(configText) as Record<string, unknown>;
  const g: Record<string, unknown> = {};
  for (const key of ['bos_token_id', 'eos_token_id', 'pad_token_id']) if (c[key] !== undefined && c[key] !== null) g[key] = c[key];
  return JSON.stringify(g, null, 2) + '\n';
}

/**
 * The preset's router.json for one of the four Router-R1 repos; otherwise the reference template of the
 * model's family (qwen2 → qwen, llama → llama), α unknown. Pass `router` to say otherwise.
 */
export function defaultRouterJson(location: string, precision: Precision, modelType: DecoderModelType): RouterJson {
  const producer = `${CONVERTER_NAME} (${precision})`;
  const preset = presetForUrl(location);
  if (preset !== undefined) return presetRouterJson(preset, producer);
  return { format: ROUTER_JSON_FORMAT, prompt_template: modelType === 'llama' ? 'llama' : 'qwen', pool: 'router-r1', alpha: null, provenance: { source: location, producer } };
}
