/**
 * The model card's held-out table, measured with the eval command itself (`eval --policy … --pool offline
 * --dataset llmrouter:all:heldout`), in-process: the policy folder (greedy) and every baseline on the same
 * questions, pool and reward α. So `npm run -s cli -- eval --policy public/models/<name> …` reproduces the
 * card's numbers exactly. writeCards fills each variant's card from these and the facts its run recorded.
 * Must not: train.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataRoot } from '../../core/data/dataRoot';
import { warmupFolderName, type DefaultPolicyVariant } from '../../core/defaultPolicy/defaultModel';
import { runPolicyEvalCommand } from '../eval/policyEval';
import type { PolicySummary } from '../eval/policyEval';
import { writeModelCard, type CardFacts } from './modelCard';

export const CARD_DATASET = 'llmrouter:all:heldout';

/** The baselines of the card, in table order. */
export function cardBaselines(models: readonly string[]): string[] {
  return [...models.map((m) => `single:${m}`), 'random', 'cheapest', 'largest', 'cascade', 'teacher', 'teacher:0.8', 'oracle'];
}

export class CardEvalError extends Error {
  override name = 'CardEvalError';
}

/** One `eval --policy` run; returns its JSON summary line. */
export async function evalSummary(policy: string, alpha: number, root: DataRoot, now: () => number): Promise<PolicySummary> {
  const dir = mkdtempSync(join(tmpdir(), 'card-eval-'));
  try {
    let stdout = '';
    let stderr = '';
    const flags = new Map([
      ['policy', policy],
      ['pool', 'offline'],
      ['dataset', CARD_DATASET],
      ['alpha', String(alpha)],
      ['out', join(dir, 'records.jsonl')],
    ]);
    const r = await runPolicyEvalCommand(flags, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, root, env: {}, now });
    if (r.code !== 0) throw new CardEvalError(`eval --policy ${policy} exited ${r.code}: ${stderr.trim().split('\n')[0] ?? ''}`);
    const s = JSON.parse(stdout.trim().split('\n').pop() as string) as PolicySummary;
    return { n: s.n, em: s.em, f1: s.f1, cost: s.cost, calls: s.calls, format_valid: s.format_valid, routing_share: s.routing_share };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The decoding ablations of the card: router.json `decoding` replaced, the weights unchanged. */
export const CARD_ABLATIONS: readonly { label: string; decoding: Record<string, unknown> }[] = [
  { label: 'grammar only (no extractive spans, no thought cap)', decoding: { protocol_grammar: true } },
  { label: 'none (plain greedy)', decoding: {} },
];

/** `eval --policy` on a copy of `folder` whose router.json decoding is `decoding`. */
export async function ablationSummary(folder: string, decoding: Record<string, unknown>, alpha: number, root: DataRoot, now: () => number): Promise<PolicySummary> {
  const dir = mkdtempSync(join(tmpdir(), 'card-ablation-'));
  try {
    const copy = join(dir, folder.replace(/\/+$/, '').split('/').pop() ?? 'policy');
    cpSync(folder, copy, { recursive: true });
    const router = JSON.parse(readFileSync(join(copy, 'router.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(copy, 'router.json'), JSON.stringify({ ...router, decoding }, null, 2) + '\n');
    return await evalSummary(copy, alpha, root, now);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The model cards: each variant's held-out numbers and the baselines', measured with `eval --policy`
 * (cardEval.ts) on the folders in `out`, plus the training facts the run recorded in `work`.
 */
export async function writeCards(variants: readonly DefaultPolicyVariant[], work: string, out: string, root: DataRoot, models: readonly string[], now: () => number, log: (s: string) => void): Promise<void> {
  const baselineCache = new Map<string, PolicySummary>();
  for (const v of variants) {
    const factsFile = join(work, v.name, 'train-facts.json');
    if (!existsSync(factsFile)) throw new Error(`${factsFile} is missing: run train-default without --cards-only first (same --work).`);
    const facts = JSON.parse(readFileSync(factsFile, 'utf8')) as CardFacts;
    facts.heldOut = await evalSummary(join(out, v.name), v.alpha, root, now);
    log(`${v.name}: eval --policy on ${CARD_DATASET}: ${fmt(facts.heldOut)}`);
    facts.ablations = [];
    for (const a of CARD_ABLATIONS) {
      const summary = await ablationSummary(join(out, v.name), a.decoding, v.alpha, root, now);
      log(`${v.name}: decoding ${a.label}: ${fmt(summary)}`);
      facts.ablations.push({ label: a.label, summary });
    }
    facts.baselines = [];
    const warmup = join(out, warmupFolderName(v.name));
    if (existsSync(warmup)) facts.baselines.push({ method: `${warmupFolderName(v.name)} (same weights before RL)`, summary: await evalSummary(warmup, v.alpha, root, now) });
    for (const b of cardBaselines(models)) {
      const key = `${b}@${v.alpha}`;
      const summary = baselineCache.get(key) ?? (await evalSummary(b, v.alpha, root, now));
      baselineCache.set(key, summary);
      facts.baselines.push({ method: b, summary });
    }
    writeModelCard(join(out, v.name), facts);
    writeModelCard(join(work, v.name), facts);
  }
}

function fmt(s: PolicySummary): string {
  return `EM ${s.em.toFixed(3)}, F1 ${s.f1.toFixed(3)}, cost ${s.cost.toFixed(2)}, calls ${s.calls.toFixed(2)}, format-valid ${(s.format_valid * 100).toFixed(1)}%`;
}
