/**
 * Stopping and streaming text for the decode loop.
 *
 * Incremental decoding (the algorithm of text-generation-inference's `decode_token`): a token's text
 * is not always decodable on its own — a byte-level token may hold half a UTF-8 character, and a
 * SentencePiece token's leading space depends on what precedes it. So we decode a short window twice,
 *   prefixText = decode(ids[prefixOffset : readOffset])
 *   newText    = decode(ids[prefixOffset :])
 * and emit newText.slice(prefixText.length) only when it is longer and does not end in U+FFFD (an
 * incomplete character); otherwise the token's text waits for the next token. Cost: O(window) per
 * token, not O(generated). For decoders whose output is a concatenation (byte-level BPE, the byte
 * tokenizer) the emitted pieces concatenate to decode(ids) exactly.
 *
 * Stop strings are searched in the stable text plus the waiting tail, so `</search>` split across
 * tokens (`</`, `search`, `>`) stops on the token that completes it. The whole token is kept (the
 * environment cuts the text after the tag), as transformers' StopStringCriteria does.
 */
import type { Tokenizer } from './ports';

const REPLACEMENT_CHAR = '\uFFFD';

export interface DecodedPiece {
  /** Newly stable text (may be empty while a character is incomplete). */
  stable: string;
  /** Text decoded after the stable part that is not final yet (e.g. ends in U+FFFD). */
  tail: string;
}

export interface IncrementalDecoder {
  push(id: number): DecodedPiece;
  /** Everything not emitted yet, decoded as is (at the end of generation). */
  flush(): string;
  /** The stable text emitted so far. */
  readonly text: string;
}

export function createIncrementalDecoder(tokenizer: Tokenizer): IncrementalDecoder {
  const ids: number[] = [];
  let prefixOffset = 0;
  let readOffset = 0;
  let text = '';
  const decode = (from: number, to = ids.length): string => (to > from ? tokenizer.decode(ids.slice(from, to)) : '');
  return {
    push(id) {
      ids.push(id);
      const prefixText = decode(prefixOffset, readOffset);
      const newText = decode(prefixOffset);
      if (newText.length > prefixText.length && !newText.endsWith(REPLACEMENT_CHAR) && newText.startsWith(prefixText)) {
        const stable = newText.slice(prefixText.length);
        prefixOffset = readOffset;
        readOffset = ids.length;
        text += stable;
        return { stable, tail: '' };
      }
      return { stable: '', tail: newText.startsWith(prefixText) ? newText.slice(prefixText.length) : '' };
    },
    flush() {
      const rest = decode(prefixOffset).slice(decode(prefixOffset, readOffset).length);
      prefixOffset = readOffset = ids.length;
      text += rest;
      return rest;
    },
    get text() {
      return text;
    },
  };
}

export type StopReason = 'eos' | 'stop-string' | 'max-tokens';

/**
 * The first stop string that occurs in `text` at or after `from` (earliest position wins), or null.
 * Pass from = (length already checked) − (longest stop − 1) to check only what a new token can complete.
 */
export function findStopString(text: string, stops: readonly string[], from = 0): { stop: string; index: number } | null {
  let best: { stop: string; index: number } | null = null;
  for (const stop of stops) {
    if (stop === '') continue;
    const index = text.indexOf(stop, Math.max(0, from));
    if (index >= 0 && (best === null || index < best.index)) best = { stop, index };
  }
  return best;
}

/** Where a stop search should restart after `checkedLength` characters were checked already. */
export function stopSearchStart(checkedLength: number, stops: readonly string[]): number {
  const longest = stops.reduce((n, s) => Math.max(n, s.length), 0);
  return Math.max(0, checkedLength - longest + 1);
}
