/**
 * "You are the router": a policy whose turns come from a person. generate() waits until the UI submits
 * the turn text (through Engine.submitTurn); the environment then cuts, parses and executes it exactly
 * as it would a model's text. Aborting the episode rejects the pending wait.
 */
import type { PolicyRecord } from '../env/trajectory';
import type { GenerateRequest, Policy } from '../policy/ports';

export class NoTurnPendingError extends Error {
  override name = 'NoTurnPendingError';
}

export interface HumanPolicy extends Policy {
  /** Hands the next turn's text to the waiting generate(); throws when no turn is awaited. */
  submit(text: string, generationMs?: number): void;
  /** The request the policy is waiting on, if any. */
  pending(): GenerateRequest | undefined;
}

export function createHumanPolicy(id = 'human'): HumanPolicy {
  const record: PolicyRecord = { kind: 'human', id };
  let waiting: { req: GenerateRequest; resolve: (r: { text: string; generationMs?: number }) => void } | undefined;
  return {
    describe: () => ({ ...record }),
    generate(req, { signal }) {
      signal?.throwIfAborted();
      return new Promise((resolve, reject) => {
        const onAbort = () => {
          waiting = undefined;
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiting = {
          req,
          resolve: (r) => {
            signal?.removeEventListener('abort', onAbort);
            waiting = undefined;
            resolve(r.generationMs === undefined ? { text: r.text } : { text: r.text, generationMs: r.generationMs });
          },
        };
      });
    },
    submit(text, generationMs) {
      if (waiting === undefined) throw new NoTurnPendingError('The episode is not waiting for a turn (it has finished or is calling a model).');
      waiting.resolve(generationMs === undefined ? { text } : { text, generationMs });
    },
    pending: () => waiting?.req,
  };
}
