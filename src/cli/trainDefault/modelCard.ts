/**
 * MODEL_CARD.md of an embedded policy: what it is, what it was trained on, how it was trained, and how
 * good it is on the held-out questions beside the baselines on the same questions and pool.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DefaultPolicyVariant } from '../../core/defaultPolicy/defaultModel';
import type { DecoderConfig } from '../../core/onnx/decoderConfig';
import type { PolicySummary } from '../eval/policyEval';

export interface CardFacts {
  variant: DefaultPolicyVariant;
  config: DecoderConfig;
  parameters: number;
  tokenizerSize: number;
  seed: number;
  trainingQuestions: number;
  heldOutQuestions: number;
  teacherTrajectories: number;
  practiceTrajectories: number;
  teacherEm: number;
  sftUpdates: number;
  rlSteps: number;
  wallSeconds: number;
  /** Filled by the card stage (eval --policy on the shipped folder). */
  heldOut: PolicySummary | null;
  onnxBytes: number;
  /** Baselines on the same held-out questions (method → summary), when computed. */
  baselines?: { method: string; summary: PolicySummary }[];
  /** The same weights with fewer decoding processors (what each adds), when computed. */
  ablations?: { label: string; summary: PolicySummary }[];
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function row(name: string, s: PolicySummary): string {
  return `| ${name} | ${s.em.toFixed(3)} | ${s.f1.toFixed(3)} | ${s.cost.toFixed(2)} | ${s.calls.toFixed(2)} | ${pct(s.format_valid)} |`;
}

function share(s: PolicySummary): string {
  const e = Object.entries(s.routing_share);
  return e.length === 0 ? 'no calls' : e.map(([m, x]) => `${m} ${pct(x)}`).join(', ');
}

/** The quality bars against the best single model (by EM) on the same questions. */
function bars(f: CardFacts): string[] {
  const singles = (f.baselines ?? []).filter((b) => b.method.startsWith('single:'));
  if (singles.length === 0) return [];
  const best = [...singles].sort((a, b) => b.summary.em - a.summary.em || a.summary.cost - b.summary.cost)[0] as { method: string; summary: PolicySummary };
  const h = f.heldOut;
  if (h === null) return [];
  const ok = (x: boolean): string => (x ? 'met' : 'NOT met');
  const out = [
    `Against the best single model (${best.method.slice(7)}: EM ${best.summary.em.toFixed(3)}, cost ${best.summary.cost.toFixed(2)}):`,
    `- format-valid ${pct(h.format_valid)} (bar ≥ 98%: ${ok(h.format_valid >= 0.98)});`,
    `- EM ${h.em.toFixed(3)} = ${pct(h.em / best.summary.em)} of the best single model's; cost ${h.cost.toFixed(2)} = ${pct(h.cost / best.summary.cost)} of its cost;`,
  ];
  if (f.variant.alpha === 0) out.push(`- α = 0 bar (EM ≥ the best single model's): ${ok(h.em >= best.summary.em)}.`);
  else out.push(`- high-α bar (cost ≤ 35% and EM ≥ 90% of the best single model's): ${ok(h.cost <= 0.35 * best.summary.cost && h.em >= 0.9 * best.summary.em)}.`);
  return out;
}

export function modelCardText(f: CardFacts): string {
  const v = f.variant;
  if (f.heldOut === null) throw new Error('modelCardText: the held-out summary is not measured yet.');
  const held = f.heldOut;
  const c = f.config;
  const lines = [
    `# ${v.name}: an embedded Router-R1 policy (α = ${v.alpha})`,
    '',
    `A small router policy trained by Router-R1 Studio's own pipeline, ${v.summary}. It writes the Router-R1 protocol`,
    '(`<think>`, `<search>Model: query</search>`, `<answer>`) with the project\'s compact prompt, on the offline pool',
    '(nine LLMs simulated from their recorded per-question scores; no keys). It is a research demo of multi-round routing,',
    'not a question-answering model: every answer it gives is copied from a candidate\'s reply.',
    '',
    '## Model',
    '',
    `- Qwen2-family decoder: ${c.numLayers} layers, hidden ${c.hiddenSize}, ${c.numHeads} heads / ${c.numKvHeads} KV heads, MLP ${c.intermediateSize}, tied embeddings, RoPE (θ ${c.ropeTheta}).`,
    `- ${f.parameters.toLocaleString('en')} parameters; shipped as \`onnx/model_q4.onnx\` (MatMulNBits, 4-bit, block 32): ${(f.onnxBytes / 2 ** 20).toFixed(2)} MiB.`,
    `- Tokenizer: byte-level BPE trained by our own code (src/core/tokenizer/bpeTrainer.ts) on compact prompts and teacher trajectories of the training questions: ${f.tokenizerSize} tokens, protocol tags as single tokens.`,
    '- Prompt: the compact template (src/core/protocol/prompt.ts) fed without a chat template.',
    '- Decoding: greedy (generation_config.json `do_sample: false`), with the processors router.json `decoding` names: the protocol grammar (src/core/policy/protocolGrammar.ts: a tag the format cannot have next is never written, nothing but one white-space token between blocks, no repeated trigram in a route or an answer, thoughts closed after `max_think_tokens`) and extractive spans (src/core/policy/extractiveSpans.ts: a sub-query is whole words of the question, an answer whole words of one reply or "unknown"). The model still chooses every model name, every decision, where each span starts and where it ends.',
    '',
    '## Data',
    '',
    `- Offline bank: LLMRouter's recorded scores (NQ and TriviaQA, nine NVIDIA NIM models), read from the data root at run time.`,
    `- Training: the ${f.trainingQuestions} training-split questions that are not held out. Held out: ${f.heldOutQuestions} questions (\`fnv1a32('heldout:'+id) % 5 == 0\`), never seen in any stage — not even as a wrong answer of the simulator.`,
    '',
    '## Training (`npm run -s cli -- train-default`)',
    '',
    `1. Supervised warm-up on ${f.teacherTrajectories} trajectories of the cost-aware teacher, plus ${f.practiceTrajectories} of the same teacher on copy-practice questions (training questions' words shuffled, re-paired with other training answers: src/core/defaultPolicy/augment.ts) (src/core/defaultPolicy/teacher.ts, ${v.teacher.order}, at most ${v.teacher.maxRoutes} calls, terse thoughts; teacher EM on the training questions ${f.teacherEm.toFixed(3)}): ${f.sftUpdates} AdamW updates, peak lr ${v.sft.lr}, cosine schedule, observation tokens masked.`,
    `2. GRPO with the Router-R1 reward at α = ${v.alpha} on the training questions: ${f.rlSteps} steps × ${v.rl.questionsPerStep} questions × ${v.rl.groupSize} rollouts, lr ${v.rl.lr}, KL to the warm-up policy.`,
    `- Seed ${f.seed}; wall time ${(f.wallSeconds / 60).toFixed(1)} min for this variant on a 2-core CPU (onnxruntime-node, our own training graphs).`,
    '',
    `## Held-out results (${held.n} questions, greedy decoding, q4 weights, reward α = ${v.alpha}; measured with \`eval --policy\`)`,
    '',
    '| method | EM | F1 | mean cost (units) | calls/question | format-valid |',
    '| --- | --- | --- | --- | --- | --- |',
    row(`**${v.name}**`, held),
    ...(f.baselines ?? []).map((b) => row(b.method, b.summary)),
    '',
    `Routing share: ${share(held)}.`,
    '',
    ...bars(f),
    '',
    ...(f.ablations === undefined || f.ablations.length === 0
      ? []
      : [
          'What decoding adds (same weights, same questions; the shipped router.json decoding in the first row):',
          '',
          '| decoding | EM | F1 | mean cost (units) | calls/question | format-valid |',
          '| --- | --- | --- | --- | --- | --- |',
          row('grammar + extractive spans + thought cap (shipped)', held),
          ...f.ablations.map((a) => row(a.label, a.summary)),
          '',
        ]),
    'Reproduce: `npm run -s cli -- eval --policy public/models/' + v.name + ' --pool offline --dataset llmrouter:all:heldout --out heldout.jsonl`.',
    '',
    '## Limits',
    '',
    '- It knows only the offline pool\'s nine model names and the compact template; with other pools or live providers it routes by name as best it can.',
    '- Candidates are simulated: a reply is right exactly when the recorded score says so; wrong replies are confident answers of other questions or "cannot help".',
    '',
  ];
  return lines.join('\n');
}

export function writeModelCard(dir: string, f: CardFacts): void {
  writeFileSync(join(dir, 'MODEL_CARD.md'), modelCardText(f));
}
