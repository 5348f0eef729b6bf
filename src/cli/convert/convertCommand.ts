/**
 * `npm run -s cli -- convert <folder-or-url-prefix> <out-dir> [--precision q4|fp32] [--external-data auto|always|never] [--preset ID]`
 *
 * A Hugging Face safetensors checkpoint (a folder, or a URL prefix such as
 * https://huggingface.co/ulab-ai/Router-R1-Qwen2.5-3B-Instruct/resolve/main/) → our model folder.
 * `--preset` takes one of the four Router-R1 ids (router-r1-qwen, …) and sets both the source URL (when
 * the input is "-") and router.json. Progress goes to stderr, the written files' summary to stdout.
 */
import { convertToFolder, describeConvertEvent } from '../../adapters/node/convertNode';
import { CONVERTER_NAME } from '../../core/model/convert';
import { findPreset, presetRouterJson, presetUrlPrefix, ROUTER_R1_PRESETS } from '../../core/model/presets';
import type { Precision } from '../../core/onnx/decoderGraph';

export const CONVERT_USAGE = `convert <folder-or-url-prefix> <out-dir> [--precision q4|fp32] [--external-data auto|always|never] [--preset ID]
                                  HF safetensors checkpoint -> model folder (onnx/model_q4.onnx, router.json, tokenizer files)
                                  presets (input "-" downloads the preset): ${ROUTER_R1_PRESETS.map((p) => p.id).join(', ')}`;

export interface ConvertCommandIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  signal?: AbortSignal;
}

export async function runConvertCommand(positional: readonly string[], flags: ReadonlyMap<string, string>, io: ConvertCommandIo): Promise<number> {
  const [input, outDir] = positional;
  if (input === undefined || outDir === undefined) {
    io.stderr.write(`Usage: npm run -s cli -- ${CONVERT_USAGE}\n`);
    return 2;
  }
  const precision = flags.get('precision') ?? 'q4';
  if (precision !== 'q4' && precision !== 'fp32') throw new Error(`--precision must be q4 or fp32, got ${precision}`);
  const externalData = flags.get('external-data') ?? 'auto';
  if (externalData !== 'auto' && externalData !== 'always' && externalData !== 'never') throw new Error(`--external-data must be auto, always or never, got ${externalData}`);
  const presetId = flags.get('preset');
  const preset = presetId === undefined ? undefined : findPreset(presetId);
  if (presetId !== undefined && preset === undefined) throw new Error(`Unknown preset "${presetId}"; use one of ${ROUTER_R1_PRESETS.map((p) => p.id).join(', ')}`);
  const source = input === '-' && preset !== undefined ? presetUrlPrefix(preset) : input;
  const result = await convertToFolder(source, outDir, {
    precision: precision as Precision,
    externalData,
    ...(preset === undefined ? {} : { router: presetRouterJson(preset, `${CONVERTER_NAME} (${precision})`) }),
    ...(io.signal === undefined ? {} : { signal: io.signal }),
    onEvent: (e) => {
      const line = describeConvertEvent(e);
      if (line !== null) io.stderr.write(line + '\n');
    },
  });
  io.stdout.write(JSON.stringify({ out: outDir, files: result.files, router: result.router }, null, 2) + '\n');
  return 0;
}
