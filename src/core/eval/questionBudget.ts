/**
 * Per-question limits of an evaluation (max calls, max spend per question) as a candidate
 * caller wrapper, one per episode. A refused call never reaches the provider: it fails with kind
 * 'budget', which the environment records in the round (`<information>None</information>`, cost 0),
 * exactly like any other failed call.
 *
 *   refuse when  calls made ≥ maxCalls
 *            or  spent + worstCaseUsd(call) > maxSpendUsd
 *   worstCaseUsd = (ceil(promptChars / 4) · inputPer1M + maxTokens · outputPer1M) / 1e6   (providers/spendingCap.ts)
 *
 * The spend check uses the worst case, as the session spending cap does, so the limit is never crossed.
 */
import { costUsdOf } from '../env/envRecords';
import { CandidateCallError, type CandidateCaller } from '../policy/ports';
import { estimateWorstCaseUsd } from '../providers/spendingCap';
import type { RunLimits } from '../share/shareState';

export interface QuestionBudget extends CandidateCaller {
  /** Calls passed through to the inner caller, and their actual dollars. */
  calls(): number;
  spentUsd(): number;
  /** Calls this wrapper refused. */
  refusals(): number;
}

export function withQuestionBudget(inner: CandidateCaller, limits: RunLimits): QuestionBudget {
  let calls = 0;
  let spent = 0;
  let refused = 0;
  const refuse = (message: string): never => {
    refused++;
    throw new CandidateCallError('budget', message, { latencyMs: 0 });
  };
  return {
    calls: () => calls,
    spentUsd: () => spent,
    refusals: () => refused,
    async call(req, opts) {
      if (limits.maxCalls !== null && calls >= limits.maxCalls) {
        refuse(`The evaluation allows ${limits.maxCalls} call(s) per question; this one was refused.`);
      }
      const worst = estimateWorstCaseUsd(req.model, req.prompt, req.params.maxTokens);
      if (limits.maxSpendUsd !== null && spent + worst > limits.maxSpendUsd) {
        refuse(`The evaluation allows $${limits.maxSpendUsd} per question; spent $${spent.toPrecision(3)}, this call may cost up to $${worst.toPrecision(3)}, so it was refused.`);
      }
      calls++;
      const reply = await inner.call(req, opts);
      spent += costUsdOf(reply.usage, req.model);
      return reply;
    },
  };
}
