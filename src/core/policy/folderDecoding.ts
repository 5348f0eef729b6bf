/**
 * The decoding processors a model folder asks for (router.json `decoding`), built per request: the
 * protocol grammar (tags) and extractive spans (sub-queries and answers copied from their sources).
 * One place for the app, `eval --policy` and train-default, so all three decode a folder alike.
 */
import type { LogitsProcessor } from './logitsProcessors';
import type { GenerateRequest, Tokenizer } from './ports';
import { createProtocolGrammar } from './protocolGrammar';
import { createExtractiveSpans, spanSourcesOf } from './extractiveSpans';

export interface FolderDecoding {
  protocolGrammar: boolean;
  extractiveSpans: boolean;
  maxThinkTokens?: number;
}

/** A folder whose router.json asks for nothing (or has none). */
export const NO_FOLDER_DECODING: FolderDecoding = { protocolGrammar: false, extractiveSpans: false };

/** `poolNames`: the names a route may use (extractive spans only; absent: any name). */
export function folderDecodingProcessors(tokenizer: Tokenizer, d: FolderDecoding, poolNames?: readonly string[]): (req: GenerateRequest) => LogitsProcessor[] {
  const grammar = d.protocolGrammar
    ? createProtocolGrammar(tokenizer, { spanLoopGuard: !d.extractiveSpans, ...(d.maxThinkTokens === undefined ? {} : { maxThinkTokens: d.maxThinkTokens }) })
    : null;
  return (req) => [...(grammar === null ? [] : [grammar]), ...(d.extractiveSpans ? [createExtractiveSpans(tokenizer, spanSourcesOf(req, poolNames))] : [])];
}
