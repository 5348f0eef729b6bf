/**
 * Loading a model folder in the Hugging Face / transformers.js layout (DESIGN.md §3) from any
 * ModelSource, and checking it before onnxruntime sees it, so a bad folder fails with a message that
 * says what to do instead of an opaque session error:
 *
 *   config.json             parses as a Qwen2/Llama decoder (parseDecoderConfig)
 *   tokenizer.json          present; its vocabulary fits the logits (≤ vocab_size)
 *   tokenizer_config.json   present (chat template, special tokens)
 *   generation_config.json  optional;  router.json optional (ours)
 *   onnx/model*.onnx        chosen by preferred precision; readable to the end; standard decoder I/O names;
 *                           external data files (`location` entries) fetched alongside and length-checked;
 *                           config.json's sizes agree with the graph's own shapes (graphShapes.ts)
 *
 * Not for: creating sessions (adapters/ort, adapters/node) or tokenizer objects (adapters/tokenizers).
 */
import { parseDecoderConfig, type DecoderConfig } from '../onnx/decoderConfig';
import { readModelSummary, type ModelSummary } from '../onnx/onnxProto';
import { ProtobufDecodeError } from '../onnx/protobuf';
import { checkTokenizerFitsModel } from '../policy/languageModel';
import { configDisagreements, readGraphShapes } from './graphShapes';
import { findExternalData } from './onnxExternalRefs';
import { ModelSourceError, type ModelSource, type ReadProgress } from './modelSource';
import { parseRouterJson, ROUTER_JSON_FILE, type RouterJson } from './routerJson';

/** transformers.js / optimum file names, by precision. */
export const ONNX_VARIANTS = {
  q4: 'onnx/model_q4.onnx',
  q4f16: 'onnx/model_q4f16.onnx',
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
} as const;
export type OnnxVariant = keyof typeof ONNX_VARIANTS;

/** Smallest first: q4 runs everywhere; q4f16/fp16 need `shader-f16` on WebGPU (the runtime decides). */
export const DEFAULT_ONNX_PREFERENCE: readonly OnnxVariant[] = ['q4', 'q4f16', 'fp32', 'fp16'];

export const MODEL_FOLDER_FILES = {
  config: 'config.json',
  tokenizer: 'tokenizer.json',
  tokenizerConfig: 'tokenizer_config.json',
  generationConfig: 'generation_config.json',
} as const;

export type ModelFolderErrorKind = 'missing-file' | 'invalid-json' | 'invalid-config' | 'tokenizer-mismatch' | 'truncated-onnx' | 'not-a-decoder' | 'config-mismatch';

export class ModelFolderError extends Error {
  override name = 'ModelFolderError';
  constructor(
    readonly kind: ModelFolderErrorKind,
    message: string,
    opts: { cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
  }
}

export interface LoadedModelFolder {
  location: string;
  config: DecoderConfig;
  configJson: Record<string, unknown>;
  /** tokenizer.json parsed (hand to createHfTokenizer). */
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  generationConfig: Record<string, unknown> | null;
  router: RouterJson | null;
  /** Largest token id + 1 (added tokens included). */
  tokenizerVocabSize: number;
  onnx: { path: string; variant: OnnxVariant; bytes: Uint8Array; summary: ModelSummary };
  /** External data files, `path` as the model names it (relative to the .onnx file: what onnxruntime-web's `externalData` wants). */
  externalData: { path: string; bytes: Uint8Array }[];
}

export interface LoadModelFolderOptions {
  preference?: readonly OnnxVariant[];
  onProgress?: (p: ReadProgress) => void;
  signal?: AbortSignal;
}

/** Read and validate a model folder; throws `ModelFolderError` (kind + what to do). */
export async function loadModelFolder(source: ModelSource, opts: LoadModelFolderOptions = {}): Promise<LoadedModelFolder> {
  const { signal } = opts;
  const readJson = async (path: string): Promise<Record<string, unknown>> => parseJsonObject(await readRequired(source, path, signal), `${source.location}/${path}`);
  const configJson = await readJson(MODEL_FOLDER_FILES.config);
  let config: DecoderConfig;
  try {
    config = parseDecoderConfig(configJson);
  } catch (err) {
    throw new ModelFolderError('invalid-config', err instanceof Error ? err.message : String(err), { cause: err });
  }
  const tokenizerJson = await readJson(MODEL_FOLDER_FILES.tokenizer);
  const tokenizerConfig = await readJson(MODEL_FOLDER_FILES.tokenizerConfig);
  const tokenizerVocab = tokenizerVocabSize(tokenizerJson);
  try {
    checkTokenizerFitsModel(tokenizerVocab, config.vocabSize);
  } catch (err) {
    throw new ModelFolderError('tokenizer-mismatch', err instanceof Error ? err.message : String(err), { cause: err });
  }
  const optional = async (path: string): Promise<Record<string, unknown> | null> => ((await source.exists(path, signalOpt(signal))) ? readJson(path) : null);
  const generationConfig = await optional(MODEL_FOLDER_FILES.generationConfig);
  const routerRaw = await optional(ROUTER_JSON_FILE);
  const router = routerRaw === null ? null : parseRouterJson(routerRaw);

  const { path, variant } = await chooseOnnxFile(source, opts.preference ?? DEFAULT_ONNX_PREFERENCE, signal);
  const bytes = await source.readBytes(path, progressOpts(opts));
  const summary = readOnnxSummary(bytes, `${source.location}/${path}`);
  checkDecoderInterface(summary, config, `${source.location}/${path}`);
  checkConfigAgainstGraph(summary, config, `${source.location}/${path}`);
  const externalData = await readExternalData(source, path, bytes, opts);
  return { location: source.location, config, configJson, tokenizerJson, tokenizerConfig, generationConfig, router, tokenizerVocabSize: tokenizerVocab, onnx: { path, variant, bytes, summary }, externalData };
}

const signalOpt = (signal: AbortSignal | undefined): { signal?: AbortSignal } => (signal === undefined ? {} : { signal });

function progressOpts(opts: LoadModelFolderOptions): { onProgress?: (p: ReadProgress) => void; signal?: AbortSignal } {
  const o: { onProgress?: (p: ReadProgress) => void; signal?: AbortSignal } = signalOpt(opts.signal);
  if (opts.onProgress !== undefined) o.onProgress = opts.onProgress;
  return o;
}

async function readRequired(source: ModelSource, path: string, signal: AbortSignal | undefined): Promise<string> {
  try {
    return await source.readText(path, signalOpt(signal));
  } catch (err) {
    if (err instanceof ModelSourceError && err.missing) {
      throw new ModelFolderError('missing-file', `${source.location} has no ${path}. A model folder needs config.json, tokenizer.json, tokenizer_config.json and onnx/model*.onnx; copy the missing file from the same model's repository.`, { cause: err });
    }
    throw err;
  }
}

function parseJsonObject(text: string, where: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelFolderError('invalid-json', `${where} is not valid JSON (${err instanceof Error ? err.message : String(err)}); the download is probably truncated: clear it from the cache and load it again.`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ModelFolderError('invalid-json', `${where} must hold a JSON object.`);
  return json as Record<string, unknown>;
}

/** Largest id + 1 over the model vocabulary (BPE/WordPiece: token → id; Unigram: [token, score][]) and added tokens. */
export function tokenizerVocabSize(tokenizerJson: Record<string, unknown>): number {
  const model = tokenizerJson['model'] as Record<string, unknown> | undefined;
  const vocab = model?.['vocab'];
  let size = 0;
  if (Array.isArray(vocab)) {
    size = vocab.length;
  } else if (typeof vocab === 'object' && vocab !== null) {
    for (const id of Object.values(vocab)) if (typeof id === 'number') size = Math.max(size, id + 1);
  } else {
    throw new ModelFolderError('tokenizer-mismatch', 'tokenizer.json has no "model.vocab": it is not a Hugging Face tokenizers file (or it is truncated). Load it again from the model repository.');
  }
  const added = Array.isArray(tokenizerJson['added_tokens']) ? (tokenizerJson['added_tokens'] as unknown[]) : [];
  for (const t of added) {
    const id = (t as { id?: unknown } | null)?.id;
    if (typeof id === 'number') size = Math.max(size, id + 1);
  }
  return size;
}

/** The first preferred ONNX file the folder has. */
export async function chooseOnnxFile(source: ModelSource, preference: readonly OnnxVariant[], signal?: AbortSignal): Promise<{ path: string; variant: OnnxVariant }> {
  for (const variant of preference) {
    const path = ONNX_VARIANTS[variant];
    if (await source.exists(path, signalOpt(signal))) return { path, variant };
  }
  throw new ModelFolderError(
    'missing-file',
    `${source.location} has none of ${preference.map((v) => ONNX_VARIANTS[v]).join(', ')}. Convert the checkpoint first (npm run -s cli -- convert <folder-or-url> <out-dir>) or pick a transformers.js export.`,
  );
}

function readOnnxSummary(bytes: Uint8Array, where: string): ModelSummary {
  try {
    const summary = readModelSummary(bytes);
    if (summary.irVersion === 0 || summary.inputs.length === 0) throw new ProtobufDecodeError('no graph');
    return summary;
  } catch (err) {
    if (!(err instanceof ProtobufDecodeError)) throw err;
    throw new ModelFolderError('truncated-onnx', `${where} (${bytes.byteLength} bytes) is truncated or not an ONNX model (${err.message}). Clear it from the model cache and download it again.`, { cause: err });
  }
}

/** The standard decoder interface (DESIGN.md §3); extra inputs/outputs are allowed. */
export function checkDecoderInterface(summary: ModelSummary, config: DecoderConfig, where = 'the ONNX file'): void {
  const need = (names: string[], have: readonly string[], what: string): void => {
    const missing = names.filter((n) => !have.includes(n));
    if (missing.length > 0) {
      throw new ModelFolderError('not-a-decoder', `${where} lacks the ${what} ${missing.slice(0, 4).join(', ')}${missing.length > 4 ? ', …' : ''}: it is not a decoder with a KV cache in the standard layout, or it belongs to another config.json (${config.numLayers} layers). Use a transformers.js "with past" export or convert the checkpoint.`);
    }
  };
  const layers = Array.from({ length: config.numLayers }, (_, i) => i);
  need(['input_ids', 'attention_mask', ...layers.flatMap((i) => [`past_key_values.${i}.key`, `past_key_values.${i}.value`])], summary.inputs, 'inputs');
  need(['logits', ...layers.flatMap((i) => [`present.${i}.key`, `present.${i}.value`])], summary.outputs, 'outputs');
}

/**
 * config.json against the graph's own shapes: the graph is what runs, so a config that disagrees (a
 * hidden size, vocabulary, depth or head count the graph does not have, or more positions than its
 * rotary cache) is refused, naming the field and what the graph has. After this, every limit derived
 * from config.maxPositionEmbeddings (the episode's context capacity) is one the graph can embed.
 */
export function checkConfigAgainstGraph(summary: ModelSummary, config: DecoderConfig, where = 'the ONNX file'): void {
  const [first, ...more] = configDisagreements(config, readGraphShapes(summary));
  if (first === undefined) return;
  const what = first.field === 'max_position_embeddings'
    ? `config.json's max_position_embeddings is ${first.configValue} but the graph embeds only ${first.graphValue} positions (${first.from}); an episode past them would fail inside onnxruntime`
    : `config.json's ${first.field} is ${first.configValue} but the graph has ${first.graphValue} (${first.from})`;
  const also = more.length === 0 ? '' : ` (also ${more.map((d) => `${d.field}: ${d.configValue} vs ${d.graphValue}`).join(', ')})`;
  throw new ModelFolderError('config-mismatch', `${where}: ${what}${also}. config.json must describe this ONNX file: use the config.json exported with it, or convert the checkpoint again.`);
}

async function readExternalData(source: ModelSource, onnxPath: string, bytes: Uint8Array, opts: LoadModelFolderOptions): Promise<{ path: string; bytes: Uint8Array }[]> {
  const dir = onnxPath.includes('/') ? onnxPath.slice(0, onnxPath.lastIndexOf('/') + 1) : '';
  const out: { path: string; bytes: Uint8Array }[] = [];
  for (const [location, needed] of findExternalData(bytes)) {
    let data: Uint8Array;
    try {
      data = await source.readBytes(dir + location, progressOpts(opts));
    } catch (err) {
      if (err instanceof ModelSourceError && err.missing) {
        throw new ModelFolderError('missing-file', `${source.location}/${onnxPath} keeps its weights in ${location}, which is missing; download it next to the .onnx file.`, { cause: err });
      }
      throw err;
    }
    if (data.byteLength < needed) {
      throw new ModelFolderError('truncated-onnx', `${source.location}/${dir}${location} is ${data.byteLength} bytes but the model reads up to byte ${needed}: it is truncated. Clear it from the cache and download it again.`);
    }
    out.push({ path: location, bytes: data });
  }
  return out;
}
