/**
 * The paper's published numbers (DESIGN.md §2.6), shown BESIDE ours and always labelled as the paper's:
 * Router-R1 (Zhang, Feng, You; arXiv 2506.09033, NeurIPS 2025). They were measured on the seven QA test
 * sets with the paper's six-model NIM pool; the offline pool's NQ/TriviaQA questions are other
 * questions (LLMRouter's), so a comparison there is indicative only (`comparable: false`).
 */
import type { QaDatasetId } from '../data/qaDatasets';

export const PAPER_SOURCE = 'Router-R1 (Zhang, Feng, You; arXiv 2506.09033, NeurIPS 2025), numbers as quoted in DESIGN.md §2.6';

/** EM of Router-R1-Qwen per benchmark. */
export const PAPER_ROUTER_R1_QWEN_EM: Readonly<Record<QaDatasetId, number>> = {
  nq: 0.388,
  triviaqa: 0.706,
  popqa: 0.384,
  hotpotqa: 0.352,
  '2wikimultihopqa': 0.434,
  musique: 0.138,
  bamboogle: 0.512,
};

/** Average EM over the 7 benchmarks; ranges where the paper reports several variants. */
export const PAPER_AVERAGE_EM: readonly { method: string; em: number | readonly [number, number] }[] = [
  { method: 'Router-R1-Qwen', em: 0.416 },
  { method: 'Router-R1-Llama', em: 0.409 },
  { method: 'best baseline (largest LLM)', em: [0.338, 0.35] },
  { method: 'RouterDC', em: [0.314, 0.324] },
  { method: 'GraphRouter', em: [0.297, 0.3] },
];

/** The cost study on NQ: EM against mean cost units (completion tokens × price per 1M). */
export interface PaperCostPoint {
  label: string;
  alpha: number | null;
  em: number;
  costUnits: number;
}

export const PAPER_COST_STUDY_NQ: readonly PaperCostPoint[] = [
  { label: 'Router-R1-Qwen α=0 (paper)', alpha: 0, em: 0.388, costUnits: 150.6 },
  { label: 'Router-R1-Qwen α=0.7 (paper)', alpha: 0.7, em: 0.318, costUnits: 32.3 },
  { label: 'Router-R1-Qwen α=0.9 (paper)', alpha: 0.9, em: 0.244, costUnits: 5.5 },
  { label: 'LLaMA-3.1-70B alone (paper)', alpha: null, em: 0.28, costUnits: 153.3 },
];

/** Average calls per question of Router-R1 across settings. */
export const PAPER_CALLS_PER_QUESTION: readonly [number, number] = [1.01, 1.36];

/** Which paper benchmark a dataset id compares with, and whether the questions are the same ones. */
export function paperBenchmarkOf(dataset: string): { benchmark: QaDatasetId; comparable: boolean } | undefined {
  if (Object.hasOwn(PAPER_ROUTER_R1_QWEN_EM, dataset)) return { benchmark: dataset as QaDatasetId, comparable: true };
  if (dataset === 'offline-nq') return { benchmark: 'nq', comparable: false };
  if (dataset === 'offline-triviaqa') return { benchmark: 'triviaqa', comparable: false };
  return undefined;
}
