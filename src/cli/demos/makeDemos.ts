/**
 * `npm run -s cli -- make-demos [--data-root DIR] [--models DIR] [--questions N] [--out FILE]`: the demo
 * gallery. Runs every embedded variant (public/models/embedded.json) greedily on the first N
 * held-out offline-bank questions (display only: no variant trained on them), picks episodes that show
 * multi-round routing, an escalation, an aggregation, an α comparison and a one-call answer
 * (core/demo/pickDemos.ts), and writes public/demos/gallery.json, which the app replays without a model.
 *
 * Deterministic: a constant clock (generation times are 0 ms; the offline pool's latencies are simulated
 * from the text), no token ids or log-probs (float noise across CPUs), ids from the category. Same
 * model folders + data root + N → the same file. A category no episode shows is named on stderr; with
 * no entry at all nothing is written (an existing gallery is kept) and the exit code is 1.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createFsDataRoot, defaultDataRootDir } from '../../adapters/node/fsDataRoot';
import { parseEmbeddedIndex, EMBEDDED_INDEX_FILE } from '../../core/defaultPolicy/defaultModel';
import { DEMO_GALLERY_FORMAT, DEMO_GALLERY_VERSION, serializeDemoGallery, type DemoEntry, type DemoRun } from '../../core/demo/demoGallery';
import { pickDemos, type VariantRuns } from '../../core/demo/pickDemos';
import type { Trajectory } from '../../core/env/trajectory';
import { isHeldOutQuestion } from '../../core/eval/heldOut';
import { loadOfflineBank } from '../../core/offline/offlineBank';
import { evaluateFolderGreedy } from '../trainDefault/greedyEval';

export const MAKE_DEMOS_USAGE = `make-demos [--data-root DIR] [--models DIR] [--questions N] [--out FILE]
                                  record the demo gallery (default public/demos/gallery.json): greedy episodes
                                  of the embedded policies (--models, default public/models) on N held-out
                                  offline questions (default 40)`;

/** The shipped file stays small: it is fetched on first load. */
export const MAX_GALLERY_BYTES = 300_000;
const DEFAULT_QUESTIONS = 40;

export interface MakeDemosIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: Record<string, string | undefined>;
}

/** A recorded episode as the gallery keeps it: no token ids or log-probs, the variant as policy id. */
export function tidyTrajectory(t: Trajectory, variant: string, id: string): Trajectory {
  return {
    ...t,
    id,
    policy: { ...t.policy, id: variant },
    rounds: t.rounds.map(({ tokenIds: _ids, logProbs: _lp, ...r }) => r),
  };
}

function withIds(e: DemoEntry): DemoEntry {
  const run = (r: DemoRun): DemoRun => ({ ...r, trajectory: tidyTrajectory(r.trajectory, r.variant, `demo.${e.id}.${r.variant}`) });
  return { ...e, ...run(e), ...(e.compare === undefined ? {} : { compare: run(e.compare) }) };
}

/** The model card's first heading: says whether a folder holds a trained policy or a placeholder. */
function cardHeading(dir: string): string {
  try {
    const first = readFileSync(join(dir, 'MODEL_CARD.md'), 'utf8').split('\n').find((l) => l.startsWith('#')) ?? '';
    return first.replace(/^#+\s*/, '').trim() || 'no model card heading';
  } catch {
    return 'no model card';
  }
}

export async function runMakeDemos(flags: ReadonlyMap<string, string>, io: MakeDemosIo): Promise<number> {
  const models = resolve(flags.get('models') ?? 'public/models');
  const out = resolve(flags.get('out') ?? 'public/demos/gallery.json');
  const n = Number(flags.get('questions') ?? DEFAULT_QUESTIONS);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--questions must be a positive whole number, got ${flags.get('questions')}`);
  const log = (s: string): void => void io.stderr.write(`make-demos: ${s}\n`);

  const index = parseEmbeddedIndex(JSON.parse(readFileSync(join(models, EMBEDDED_INDEX_FILE), 'utf8')) as unknown);
  const bank = await loadOfflineBank(createFsDataRoot(flags.get('data-root') ?? defaultDataRootDir(io.env)));
  const questions = bank.questions.filter((q) => q.split === 'train' && isHeldOutQuestion(q.id)).slice(0, n);
  if (questions.length === 0) throw new Error('The offline bank has no held-out questions; check the data root (--data-root).');

  const runs: VariantRuns[] = [];
  for (const v of index.variants) {
    const dir = join(models, v.name);
    log(`${v.name} (α ${v.alpha}, ${cardHeading(dir)}): ${questions.length} greedy episodes…`);
    const trajectories: Trajectory[] = [];
    const s = await evaluateFolderGreedy(dir, bank, questions, { alpha: v.alpha, now: () => 0, onTrajectory: (t) => trajectories.push(t) });
    log(`${v.name}: EM ${s.em.toFixed(3)}, ${s.calls.toFixed(2)} calls and ${s.cost.toFixed(1)} cost units per question`);
    runs.push({ variant: v.name, alpha: v.alpha, trajectories });
  }

  const picked = pickDemos(runs);
  for (const c of picked.missing) log(`no episode among the first ${questions.length} questions shows "${c}"; it is left out (try --questions with more).`);
  if (picked.entries.length === 0) {
    log(`no episode shows any category (are the model folders trained?); ${out} was left as it is.`);
    return 1;
  }
  const source = `make-demos: greedy episodes of ${index.variants.map((v) => `${v.name} (α ${v.alpha}; ${cardHeading(join(models, v.name))})`).join(', ')} on the first ${questions.length} held-out offline-bank questions, offline pool.`;
  const text = serializeDemoGallery({ format: DEMO_GALLERY_FORMAT, version: DEMO_GALLERY_VERSION, source, entries: picked.entries.map(withIds) });
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_GALLERY_BYTES) throw new Error(`The gallery would be ${bytes} bytes (at most ${MAX_GALLERY_BYTES}); nothing was written.`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
  for (const e of picked.entries) io.stdout.write(`${e.id}\t${e.variant}${e.compare === undefined ? '' : ` vs ${e.compare.variant}`}\t${e.trajectory.question.id ?? ''}\t${e.description}\n`);
  log(`wrote ${out} (${picked.entries.length} entries, ${bytes} bytes)`);
  return 0;
}
