/**
 * Trajectory files: export (pretty JSON; a trajectory holds no keys by construction) and import with a
 * check of the fields the viewer relies on, so a wrong file gets a message instead of a broken view.
 */
import { TRAJECTORY_VERSION, type Trajectory } from '../../core';

export class TrajectoryFileError extends Error {
  override name = 'TrajectoryFileError';
}

export function serializeTrajectory(t: Trajectory): string {
  return JSON.stringify(t, null, 2);
}

export function parseTrajectoryFile(text: string): Trajectory {
  let data: unknown;
  try {
    data = JSON.parse(text) as unknown;
  } catch (err) {
    throw new TrajectoryFileError(`This file is not JSON (${err instanceof Error ? err.message : String(err)}). Pick a trajectory exported from Router-R1 Studio.`);
  }
  const t = data as Partial<Trajectory> | null;
  if (typeof t !== 'object' || t === null) throw new TrajectoryFileError('This file is not a trajectory (expected a JSON object).');
  if (t.version !== TRAJECTORY_VERSION) throw new TrajectoryFileError(`Unsupported trajectory version ${String(t.version)}; this app reads version ${TRAJECTORY_VERSION}.`);
  const missing = (['id', 'question', 'prompt', 'policy', 'pool', 'settings', 'rounds', 'response', 'status'] as const).filter((k) => t[k] === undefined);
  if (missing.length > 0) throw new TrajectoryFileError(`This trajectory is missing ${missing.join(', ')}; it cannot be shown.`);
  if (!Array.isArray(t.rounds) || !Array.isArray(t.pool) || typeof t.question?.text !== 'string') {
    throw new TrajectoryFileError('This trajectory has malformed rounds, pool or question.');
  }
  return t as Trajectory;
}
