/**
 * The IO that `cli train` writes through (stdout: JSON lines; stderr: progress and errors), shared by its
 * RL and supervised modes. Types only: it must not import either mode (that made an import cycle).
 */

export interface TrainIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  now?: () => number;
  env?: Record<string, string | undefined>;
}

/** One JSON line on stdout. */
export const writeJsonLine = (io: Pick<TrainIo, 'stdout'>, v: unknown): void => void io.stdout.write(JSON.stringify(v) + '\n');
