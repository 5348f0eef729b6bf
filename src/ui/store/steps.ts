/**
 * The step sequence of a trajectory: each round reveals think → route → reply (or think → answer, or
 * think → invalid) one sub-step at a time. Pure derivations of the store state, memoised per trajectory
 * so React selectors get stable references. Must not hold state of its own.
 */
import type { RoundRecord, Trajectory } from '../../core';

/**
 * The part of the store state the selectors read (the trajectory and cursor slices' keys), spelled here so
 * the slices that use these selectors do not import appStore.ts back through this module.
 */
interface StepState {
  trajectory: Trajectory | null;
  revealed: number;
}

export type StepStage = 'think' | 'route' | 'reply' | 'answer' | 'invalid';

export interface StepRef {
  /** Index into Trajectory.rounds. */
  round: number;
  stage: StepStage;
}

function assertNever(x: never): never {
  throw new Error(`Unhandled action: ${JSON.stringify(x)}`);
}

/** The sub-steps one round reveals, in order. A route without a call (final no-route turn) has no reply. */
export function roundStages(round: RoundRecord): StepStage[] {
  const action = round.action;
  switch (action.type) {
    case 'route': {
      // A call still in flight (live episode: no reply, no error yet) has no reply step yet.
      const settled = round.call !== null && (round.call.reply !== null || round.call.error !== null);
      return settled || round.observation !== null ? ['think', 'route', 'reply'] : ['think', 'route'];
    }
    case 'answer':
      return ['think', 'answer'];
    case 'invalid':
      return ['think', 'invalid'];
    default:
      return assertNever(action);
  }
}

export function buildSteps(trajectory: Trajectory): StepRef[] {
  return trajectory.rounds.flatMap((round, i) => roundStages(round).map((stage) => ({ round: i, stage })));
}

const EMPTY: readonly StepRef[] = [];
const stepsCache = new WeakMap<Trajectory, readonly StepRef[]>();

/** All steps of the loaded trajectory (stable reference per trajectory). */
export function selectSteps(s: Pick<StepState, 'trajectory'>): readonly StepRef[] {
  if (s.trajectory === null) return EMPTY;
  let steps = stepsCache.get(s.trajectory);
  if (steps === undefined) {
    steps = buildSteps(s.trajectory);
    stepsCache.set(s.trajectory, steps);
  }
  return steps;
}

export function selectTotalSteps(s: Pick<StepState, 'trajectory'>): number {
  return selectSteps(s).length;
}

/** The most recently revealed step, or null at the start. */
export function selectCurrentStep(s: StepState): StepRef | null {
  return selectSteps(s)[s.revealed - 1] ?? null;
}

export function selectIsAtEnd(s: StepState): boolean {
  return s.trajectory !== null && s.revealed >= selectTotalSteps(s);
}

/** How many sub-steps of a round are revealed (0 = the round is hidden). */
export function selectRevealedStageCount(s: StepState, round: number): number {
  const steps = selectSteps(s);
  let n = 0;
  for (let i = 0; i < s.revealed && i < steps.length; i++) if (steps[i]?.round === round) n++;
  return n;
}

/** Rounds with at least one revealed sub-step. */
export function selectRevealedRoundCount(s: StepState): number {
  const last = selectCurrentStep(s);
  return last === null ? 0 : last.round + 1;
}
