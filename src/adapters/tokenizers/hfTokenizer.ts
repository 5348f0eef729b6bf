/**
 * Tokenizer files of a Hugging Face model folder (DESIGN.md §3): `tokenizer.json` read with
 * @huggingface/tokenizers into core's Tokenizer port, and `tokenizer_config.json`'s chat template
 * rendered with @huggingface/jinja (chatTemplate.ts).
 *
 * Conventions: `encode` adds no special tokens (no BOS; the chat template writes its own), but
 * special tokens written as text (e.g. "<|im_end|>") are recognised, as transformers does. `decode`
 * keeps special tokens unless asked (`skipSpecialTokens`), so decode(encode(s)) = s, and the empty
 * sequence decodes to "" (the library throws on it). Spaces are cleaned up only when the config asks
 * for it (`clean_up_tokenization_spaces`, false for Qwen2.5 and Llama 3).
 */
import { Tokenizer as HfTokenizerImpl } from '@huggingface/tokenizers';
import { checkTokenizerFitsModel, TokenizerMismatchError } from '../../core/policy/languageModel';
import type { Tokenizer } from '../../core/policy/ports';

/** The tokenizer models @huggingface/tokenizers implements (no WordLevel). */
const SUPPORTED_MODELS = ['BPE', 'WordPiece', 'Unigram'];

export interface TokenizerConfigJson {
  chat_template?: string | { name: string; template: string }[];
  bos_token?: string | { content: string } | null;
  eos_token?: string | { content: string } | null;
  pad_token?: string | { content: string } | null;
  unk_token?: string | { content: string } | null;
  clean_up_tokenization_spaces?: boolean;
  [key: string]: unknown;
}

export interface HfTokenizer extends Tokenizer {
  decode(ids: readonly number[], opts?: { skipSpecialTokens?: boolean }): string;
  /** Largest id + 1, added tokens included: the logits must have at least this many entries. */
  readonly vocabSize: number;
  readonly specialTokenIds: readonly number[];
  /** The id of tokenizer_config's eos_token, when it has one. */
  readonly eosTokenId: number | undefined;
  tokenToId(token: string): number | undefined;
  readonly config: TokenizerConfigJson;
}

export interface LoadTokenizerOptions {
  /** The model's logits size; a tokenizer with more tokens throws TokenizerMismatchError. */
  modelVocabSize?: number;
}

/** Build the tokenizer from the parsed (or raw text of) tokenizer.json and tokenizer_config.json. */
export function createHfTokenizer(tokenizerJson: unknown, tokenizerConfig: unknown = {}, opts: LoadTokenizerOptions = {}): HfTokenizer {
  const json = parseJson(tokenizerJson, 'tokenizer.json');
  const config = parseJson(tokenizerConfig, 'tokenizer_config.json') as TokenizerConfigJson;
  const model = json['model'];
  if (typeof model !== 'object' || model === null || typeof (model as Record<string, unknown>)['vocab'] !== 'object') {
    throw new TokenizerMismatchError('tokenizer.json has no "model" with a "vocab": it is not a Hugging Face tokenizers file (or it is truncated). Re-download it from the model folder.');
  }
  const type = (model as Record<string, unknown>)['type'];
  if (type !== undefined && !SUPPORTED_MODELS.includes(String(type))) {
    throw new TokenizerMismatchError(`tokenizer.json uses a "${String(type)}" model, which @huggingface/tokenizers cannot run (supported: ${SUPPORTED_MODELS.join(', ')}).`);
  }
  const addedTokens = Array.isArray(json['added_tokens']) ? json['added_tokens'] : [];
  let impl: HfTokenizerImpl;
  try {
    impl = new HfTokenizerImpl({ ...json, added_tokens: addedTokens }, config);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new TokenizerMismatchError(`tokenizer.json could not be loaded (${why}); check that it is a complete Hugging Face tokenizers file.`);
  }
  const vocab = impl.get_vocab(true);
  let vocabSize = 0;
  for (const id of vocab.values()) vocabSize = Math.max(vocabSize, id + 1);
  if (opts.modelVocabSize !== undefined) checkTokenizerFitsModel(vocabSize, opts.modelVocabSize);
  const special = addedTokens.filter((t): t is { id: number; special: boolean } => isRecord(t) && t['special'] === true && typeof t['id'] === 'number').map((t) => t.id);
  const eosText = tokenText(config.eos_token);
  const cleanUp = config.clean_up_tokenization_spaces === true;

  return {
    encode: (text) => (text === '' ? [] : impl.encode(text, { add_special_tokens: false }).ids),
    decode(ids, o = {}) {
      if (ids.length === 0) return '';
      for (const id of ids) {
        if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
          throw new TokenizerMismatchError(`Token id ${id} is not in this tokenizer's vocabulary (0..${vocabSize - 1}); the ids come from another model.`);
        }
      }
      return impl.decode([...ids], { skip_special_tokens: o.skipSpecialTokens === true, clean_up_tokenization_spaces: cleanUp });
    },
    vocabSize,
    specialTokenIds: special,
    eosTokenId: eosText === undefined ? undefined : impl.token_to_id(eosText),
    tokenToId: (token) => impl.token_to_id(token),
    config,
  };
}

/** The string of a special-token entry in tokenizer_config.json (a string or an AddedToken dict). */
export function tokenText(t: TokenizerConfigJson['eos_token']): string | undefined {
  if (typeof t === 'string') return t;
  if (isRecord(t) && typeof t['content'] === 'string') return t['content'];
  return undefined;
}

function parseJson(input: unknown, file: string): Record<string, unknown> {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (err) {
      throw new TokenizerMismatchError(`${file} is not valid JSON (${err instanceof Error ? err.message : String(err)}); the download may be truncated.`);
    }
  }
  if (!isRecord(value)) throw new TokenizerMismatchError(`${file} must hold a JSON object.`);
  return value;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
