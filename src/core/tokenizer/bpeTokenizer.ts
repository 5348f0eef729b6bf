/**
 * A Tokenizer (policy/ports) over a tokenizer our BPE trainer wrote (bpeTrainer.ts), encoding exactly as
 * @huggingface/tokenizers does (lowest merge rank first, leftmost on ties), so core can tokenize without
 * the library; adapters/tokenizers/bpeTrainer.test.ts checks that both agree.
 */
import { byteLevelAlphabet, preTokenize, splitAddedTokens } from './byteLevel';
import { BpeTrainError, type TrainedBpe } from './bpeTrainer';

export interface BpeTokenizer {
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  readonly size: number;
  /** Id of a BPE or added token string, or undefined. */
  tokenToId(token: string): number | undefined;
}

/** A Tokenizer (policy/ports) over a trained tokenizer, encoding as @huggingface/tokenizers does. */
export function createBpeTokenizer(trained: Pick<TrainedBpe, 'vocab' | 'merges' | 'addedTokens' | 'size'>): BpeTokenizer {
  const alphabet = byteLevelAlphabet();
  const byteOf = new Map(alphabet.map((ch, b) => [ch, b]));
  const ranks = new Map(trained.merges.map((m, r) => [m, r]));
  const added = new Map(trained.addedTokens.map((t) => [t.content, t.id]));
  const addedContents = [...added.keys()];
  const byId = new Map<number, { text: string; added: boolean }>();
  for (const [s, id] of trained.vocab) byId.set(id, { text: s, added: false });
  for (const [s, id] of added) byId.set(id, { text: s, added: true });
  const utf8 = new TextEncoder();
  const cache = new Map<string, number[]>();
  const encodePiece = (piece: string): number[] => {
    const hit = cache.get(piece);
    if (hit !== undefined) return hit;
    const syms = bpeMerge([...utf8.encode(piece)].map((b) => alphabet[b] as string), ranks);
    const ids = syms.map((s) => {
      const id = trained.vocab.get(s);
      if (id === undefined) throw new BpeTrainError(`The merges build "${s}", which is not in the vocabulary; the tokenizer is inconsistent.`);
      return id;
    });
    if (cache.size < 50_000) cache.set(piece, ids);
    return ids;
  };
  return {
    size: trained.size,
    encode(text) {
      const ids: number[] = [];
      for (const [section, isAdded] of splitAddedTokens(text, addedContents)) {
        if (isAdded) ids.push(added.get(section) as number);
        else for (const piece of preTokenize(section)) ids.push(...encodePiece(piece));
      }
      return ids;
    },
    decode(ids) {
      let out = '';
      let bytes: number[] = [];
      const flush = (): void => {
        if (bytes.length > 0) out += new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(new Uint8Array(bytes));
        bytes = [];
      };
      for (const id of ids) {
        const tok = byId.get(id);
        if (tok === undefined) throw new BpeTrainError(`Token id ${id} is not in this tokenizer (0..${trained.size - 1}).`);
        if (tok.added) {
          flush();
          out += tok.text;
        } else for (const ch of tok.text) bytes.push(byteOf.get(ch) as number);
      }
      flush();
      return out;
    },
    tokenToId: (token) => added.get(token) ?? trained.vocab.get(token),
  };
}

/** BPE on one piece: repeatedly merge the adjacent pair of lowest rank (leftmost on ties). */
function bpeMerge(symbols: string[], ranks: ReadonlyMap<string, number>): string[] {
  const syms = symbols;
  for (;;) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < syms.length; i++) {
      const r = ranks.get(`${syms[i]} ${syms[i + 1]}`);
      if (r !== undefined && r < bestRank) [best, bestRank] = [i, r];
    }
    if (best < 0) return syms;
    syms.splice(best, 2, `${syms[best]}${syms[best + 1]}`);
  }
}
