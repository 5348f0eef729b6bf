/**
 * The session spending cap (DESIGN.md §5): a call is refused before it is sent when its worst case
 * would take the session past the limit; afterwards its actual dollars are added. Cached calls are free.
 *   worstCaseUsd = (ceil(promptChars / 4) · inputPer1M + maxTokens · outputPer1M) / 1e6
 * (4 characters per token is a rough upper-side estimate for English prompts.)
 */
import type { PoolModelRecord } from '../env/trajectory';
import { ProviderCallError } from './callErrors';

export interface SpendingCap {
  readonly limitUsd: number;
  spentUsd(): number;
  /** Throws a 'budget' CandidateCallError when spent + estimateUsd would exceed the limit. */
  assertAllows(estimateUsd: number): void;
  add(usd: number): void;
  setLimit(limitUsd: number): void;
  reset(): void;
}

export function estimateWorstCaseUsd(model: Pick<PoolModelRecord, 'inputPer1M' | 'outputPer1M'>, prompt: string, maxTokens: number): number {
  return (Math.ceil(prompt.length / 4) * model.inputPer1M + maxTokens * model.outputPer1M) / 1e6;
}

const dollars = (usd: number): string => (usd === 0 ? '$0' : `$${usd < 0.01 ? usd.toPrecision(2) : usd.toFixed(2)}`);

export function createSpendingCap(limitUsd: number): SpendingCap {
  let limit = limitUsd;
  let spent = 0;
  return {
    get limitUsd() {
      return limit;
    },
    spentUsd: () => spent,
    assertAllows(estimateUsd) {
      if (spent + estimateUsd > limit) {
        throw new ProviderCallError(
          'budget',
          `the session spending cap of ${dollars(limit)} would be exceeded (spent ${dollars(spent)}, this call may cost up to ${dollars(estimateUsd)}); raise "Session spending cap" in the pool editor (CLI: --spending-cap).`,
        );
      }
    },
    add(usd) {
      if (Number.isFinite(usd) && usd > 0) spent += usd;
    },
    setLimit(usd) {
      limit = usd;
    },
    reset() {
      spent = 0;
    },
  };
}
