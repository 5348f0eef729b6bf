/**
 * The cost-aware decoding bias (DESIGN.md §3, §7: "a cost-aware bias on model-name tokens, driven by
 * a slider"): while the policy writes the model name of a route, tokens that lead to expensive models
 * get lower logits. It acts only between `<search>` and the name's end; everywhere else it is a no-op.
 *
 * Prices, normalised over the pool (min–max on the reference cost unit, outputPer1M):
 *   p̂(n) = (price(n) − min_m price(m)) / (max_m price(m) − min_m price(m))   (all 0 when prices are equal)
 * A name is written as one of its variants after `<search>`: " Name" or "Name" when nothing follows
 * the tag yet, else (leading whitespace w already written) w + "Name". With `partial` the text written
 * since the last `<search>`:
 *   M(s)    = { variants v : v starts with s }                 the names still reachable after text s
 *   P(s)    = min_{v ∈ M(s)} p̂(v)                              the cheapest reachable price
 *   first(v) = tokenizer.encode(v.slice(partial.length))[0]    the next token on the way to v
 *   bias(t) = −λ · ( min_{v ∈ M(partial), first(v) = t} p̂(v) − P(partial) )   for each such t
 * λ ≥ 0 is the slider (logit units). The bias telescopes: summed over the tokens of a name it is
 * −λ · (p̂(n) − P("")) = −λ · p̂(n) (the cheapest model has p̂ = 0). So when names have distinct first
 * tokens the first token of name n gets exactly −λ · p̂(n); tokens shared by several names get only
 * the cheapest one's share, and the rest is paid where the names part (e.g. "70" vs "8" in
 * "Llama-3.1-70B" / "Llama-3.1-8B"). Names are matched exactly (case-sensitive), as the prompt lists them.
 * Approximation: the next token is taken from the remainder encoded on its own, which is the
 * tokenizer's canonical split when `partial` ends on a token boundary (the usual case).
 */
import type { PoolModelRecord } from '../env/trajectory';
import type { LogitsProcessor } from './logitsProcessors';
import type { Tokenizer } from './ports';

export interface CostBiasOptions {
  pool: readonly Pick<PoolModelRecord, 'name' | 'outputPer1M'>[];
  tokenizer: Tokenizer;
  /** λ, the slider: logit units per unit of normalised price; 0 disables the bias. */
  strength: number;
}

export interface CostBias {
  processor: LogitsProcessor;
  /** The bias map for a partial name (text after `<search>`): token id → additive bias (≤ 0). */
  biasFor(partial: string): ReadonlyMap<number, number>;
  /** p̂ per pool entry, in pool order. */
  normalisedPrices: readonly number[];
}

const SEARCH_TAG = '<search>';
const EMPTY: ReadonlyMap<number, number> = new Map();

/** Min–max normalised output prices, in pool order (all 0 when max = min). */
export function normalisePrices(prices: readonly number[]): number[] {
  const lo = Math.min(...prices);
  const hi = Math.max(...prices);
  return prices.map((p) => (hi - lo > 0 ? (p - lo) / (hi - lo) : 0));
}

export function createCostBias(o: CostBiasOptions): CostBias {
  const prices = normalisePrices(o.pool.map((m) => m.outputPer1M));
  const names = o.pool.map((m, i) => ({ name: m.name, price: prices[i] ?? 0 }));
  const memo = new Map<string, ReadonlyMap<number, number>>();

  const variantsFor = (partial: string): { text: string; price: number }[] => {
    const ws = /^\s*/.exec(partial)?.[0] ?? '';
    const prefixes = partial === '' ? [' ', ''] : [ws];
    return names.flatMap((n) => prefixes.map((p) => ({ text: p + n.name, price: n.price })));
  };

  const biasFor = (partial: string): ReadonlyMap<number, number> => {
    if (!(o.strength > 0)) return EMPTY;
    const cached = memo.get(partial);
    if (cached !== undefined) return cached;
    const reachable = variantsFor(partial).filter((v) => v.text.startsWith(partial));
    if (reachable.length === 0) return EMPTY; // not writing a pool name: nothing to memoise
    const before = Math.min(...reachable.map((v) => v.price));
    const byToken = new Map<number, number>(); // next token → cheapest price reachable through it
    for (const v of reachable) {
      if (v.text.length === partial.length) continue; // this name is complete
      const t = o.tokenizer.encode(v.text.slice(partial.length))[0];
      if (t === undefined) continue;
      byToken.set(t, Math.min(byToken.get(t) ?? Infinity, v.price));
    }
    const bias = new Map<number, number>();
    for (const [t, price] of byToken) if (price > before) bias.set(t, -o.strength * (price - before));
    memo.set(partial, bias);
    return bias;
  };

  const processor: LogitsProcessor = (logits, ctx) => {
    const at = ctx.generatedText.lastIndexOf(SEARCH_TAG);
    if (at < 0) return;
    for (const [id, b] of biasFor(ctx.generatedText.slice(at + SEARCH_TAG.length))) {
      const z = logits[id];
      if (z !== undefined) logits[id] = z + b;
    }
  };

  return { processor, biasFor, normalisedPrices: prices };
}
