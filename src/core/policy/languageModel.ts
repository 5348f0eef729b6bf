/**
 * The LanguageModel port: a causal decoder that owns its KV cache. The ONNX adapters (adapters/ort,
 * adapters/node) implement it; core's decode loop (decodeLoop.ts) drives it; the fake in
 * fakeLanguageModel.ts implements it for tests.
 *
 * The cache is a sequence of token ids the model has already processed (positions 0..n−1). `forward`
 * appends new ids at positions n.. and returns the logits of the LAST new position; `truncate` drops
 * positions ≥ prefixLength, which is exact because a position's keys and values depend only on the
 * ids before it. That is what lets the decode loop reuse the cache across rounds (kvPrefix.ts).
 *
 * Contract for implementations:
 * - `forward` is atomic: if it throws or is aborted, the cache (and cachedIds) is as before the call.
 * - One caller at a time: the model is not re-entrant (the policy serialises generations).
 * - The returned array is the caller's (copied from the device: a GPU→CPU sync point per call).
 */

export interface ForwardOptions {
  signal?: AbortSignal;
}

export interface LanguageModel {
  /** Size of the logits vector (may exceed the tokenizer's vocabulary: padded embeddings). */
  readonly vocabSize: number;
  /** Ids that end a generation (generation_config.json `eos_token_id`, one or several). */
  readonly eosTokenIds: readonly number[];
  /** Feed `inputIds` (new tokens only, ≥ 1) after the cached ones; logits of the last position. → [V] */
  forward(inputIds: readonly number[], opts?: ForwardOptions): Promise<Float32Array>;
  /** Drop the whole cache (and free what it holds). */
  reset(): void;
  /** Keep only the first `prefixLength` cached positions (0 ≤ prefixLength ≤ cachedLength()). */
  truncate(prefixLength: number): Promise<void>;
  cachedLength(): number;
  /** The ids the cache holds, in position order. */
  cachedIds(): readonly number[];
}

/** The tokenizer and the model do not belong together (or the tokenizer file is unusable). */
export class TokenizerMismatchError extends Error {
  override name = 'TokenizerMismatchError';
}

/**
 * Check that every id the tokenizer can produce has a logit: tokenizerVocabSize ≤ modelVocabSize.
 * A larger logits vector is normal (Qwen2.5 pads 151,665 tokens to 151,936 logits); the padding ids
 * are masked during sampling (createVocabMask). A smaller one means the files are from different models.
 */
export function checkTokenizerFitsModel(tokenizerVocabSize: number, modelVocabSize: number): void {
  if (tokenizerVocabSize > modelVocabSize) {
    throw new TokenizerMismatchError(
      `The tokenizer has ${tokenizerVocabSize} tokens but the model has only ${modelVocabSize} logits: ` +
        'tokenizer.json belongs to another model. Load the tokenizer files from the same model folder as the ONNX file.',
    );
  }
}
