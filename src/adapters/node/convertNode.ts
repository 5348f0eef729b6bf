/**
 * `convert` on Node: a checkpoint folder or URL prefix → a model folder on disk, with progress lines
 * (tensor i of n, MB read) written to a stream. The CLI command and the acceptance tests call this.
 */
import { convertCheckpoint, runConversion, type ConvertEvent, type ConvertOptions, type ConvertResult } from '../../core/model/convert';
import type { FetchLike } from '../../core/providers/fetchPort';
import { createFsModelSink, createModelSourceFor, nodeFetch } from './modelFs';

export interface ConvertToFolderOptions extends ConvertOptions {
  fetch?: FetchLike;
  onEvent?: (e: ConvertEvent) => void;
}

export async function convertToFolder(input: string, outDir: string, opts: ConvertToFolderOptions = {}): Promise<ConvertResult> {
  const { fetch: fetchFn = nodeFetch, onEvent, ...convertOpts } = opts;
  return runConversion(convertCheckpoint(createModelSourceFor(input, fetchFn), createFsModelSink(outDir), convertOpts), onEvent);
}

const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

/** One human line per event (progress lines only every ~5% of the tensors, and the last). */
export function describeConvertEvent(e: ConvertEvent): string | null {
  switch (e.type) {
    case 'convert.started':
      return `converting ${e.location}: ${e.modelType}, ${e.tensorCount} tensors, ${mb(e.totalBytes)} MB in ${e.weightFiles.join(', ')}`;
    case 'convert.tensorRead': {
      const every = Math.max(1, Math.floor(e.tensorCount / 20));
      return e.tensorIndex % every === 0 || e.tensorIndex === e.tensorCount ? `  tensor ${e.tensorIndex}/${e.tensorCount}  ${mb(e.bytesRead)}/${mb(e.totalBytes)} MB  ${e.name}` : null;
    }
    case 'convert.encoded':
      return `encoded: model ${mb(e.modelBytes)} MB${e.externalData ? ` + external data ${mb(e.dataBytes)} MB` : ''}`;
    case 'convert.fileWritten':
      return `  wrote ${e.path} (${e.bytes} bytes)`;
    case 'convert.finished':
      return `done: ${e.files.length} files`;
  }
}
