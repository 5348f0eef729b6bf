/**
 * Advantages for the policy loss. Pure functions over plain arrays; [B, T] arrays are token-aligned
 * and row-major (trainBatch.ts). Nothing here touches a model.
 *
 * GRPO (DeepSeekMath, Shao et al. 2024; verl `compute_grpo_outcome_advantage`):
 *   A_i = (r_i − mean(r_group)) / (std(r_group) + eps)
 *   std is the UNBIASED sample std (divides by n − 1), as verl's `torch.std` default; eps = 1e-6.
 *   A group of one rollout gets mean 0, std 1 (A = r / (1 + eps)), as verl does.
 *   With normalizeStd = false (Dr. GRPO): A_i = r_i − mean(r_group).
 *   The rollout's advantage is broadcast to each of its policy tokens (observation tokens get 0).
 *
 * PPO with a value head — GAE (Schulman et al. 2016), over the policy tokens only:
 *   δ_t = r_t + γ · V_next(t) − V_t
 *   A_t = δ_t + γ · λ · A_next(t)
 *   R_t = A_t + V_t                                     (value targets)
 *   where next(t) is the next POLICY token after t (observation tokens are skipped, as in verl's
 *   multi-turn GAE), V and A after the last policy token are 0. With γ = λ = 1 (the reference)
 *   A_t = Σ_{t' ≥ t} r_t' − V_t. Then verl whitens A over the batch's policy tokens (maskedWhiten).
 */

export interface GrpoOptions {
  /** Added to the std (verl 1e-6). */
  eps: number;
  /** Divide by the group std (GRPO); false gives Dr. GRPO's mean-centred advantages. */
  normalizeStd: boolean;
}

export const DEFAULT_GRPO: GrpoOptions = { eps: 1e-6, normalizeStd: true };

/** Group-normalised advantages. rewards: [N], groups: [N] (any key per question) → [N] float64 */
export function grpoAdvantages(rewards: readonly number[], groups: readonly (string | number)[], opts: GrpoOptions = DEFAULT_GRPO): Float64Array {
  const members = new Map<string | number, number[]>();
  groups.forEach((g, i) => {
    const list = members.get(g);
    if (list === undefined) members.set(g, [i]);
    else list.push(i);
  });
  const out = new Float64Array(rewards.length); // [N]
  for (const idx of members.values()) {
    const r = idx.map((i) => rewards[i] as number);
    let mean = 0;
    let std = 1;
    if (r.length > 1) {
      mean = r.reduce((a, b) => a + b, 0) / r.length;
      std = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / (r.length - 1));
    }
    for (const i of idx) {
      const centred = (rewards[i] as number) - mean;
      out[i] = opts.normalizeStd ? centred / (std + opts.eps) : centred;
    }
  }
  return out;
}

/** Per-rollout values broadcast onto the masked tokens. perRow: [B], mask: [B, T] → [B, T] */
export function broadcastToTokens(perRow: ArrayLike<number>, mask: Uint8Array, B: number, T: number): Float32Array {
  const out = new Float32Array(B * T); // [B, T]
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) if (mask[b * T + t] === 1) out[b * T + t] = perRow[b] as number;
  return out;
}

/** The outcome reward placed on each row's last masked token (verl puts the score there). perRow: [B] → [B, T] */
export function terminalRewards(perRow: ArrayLike<number>, mask: Uint8Array, B: number, T: number): Float64Array {
  const out = new Float64Array(B * T); // [B, T]
  for (let b = 0; b < B; b++) {
    for (let t = T - 1; t >= 0; t--) {
      if (mask[b * T + t] === 1) {
        out[b * T + t] = perRow[b] as number;
        break;
      }
    }
  }
  return out;
}

export interface GaeInput {
  rewards: ArrayLike<number>; // [B, T]
  values: ArrayLike<number>; // [B, T]
  mask: Uint8Array; // [B, T] policy tokens
  batchSize: number;
  seqLen: number;
  gamma: number;
  lambda: number;
}

/** GAE over the policy tokens of each row (masked positions get A = R = 0). → advantages, returns [B, T] */
export function gaeAdvantages(x: GaeInput): { advantages: Float64Array; returns: Float64Array } {
  const { batchSize: B, seqLen: T, gamma, lambda, mask } = x;
  const advantages = new Float64Array(B * T); // [B, T]
  const returns = new Float64Array(B * T); // [B, T]
  for (let b = 0; b < B; b++) {
    let nextValue = 0; // V of the next policy token
    let nextAdv = 0; // A of the next policy token
    for (let t = T - 1; t >= 0; t--) {
      const i = b * T + t;
      if (mask[i] !== 1) continue; // observation / prompt / padding: skipped, carries nothing
      const v = x.values[i] as number;
      const delta = (x.rewards[i] as number) + gamma * nextValue - v;
      const a = delta + gamma * lambda * nextAdv;
      advantages[i] = a;
      returns[i] = a + v;
      nextValue = v;
      nextAdv = a;
    }
  }
  return { advantages, returns };
}

/**
 * verl `masked_whiten`: (x − mean) / sqrt(var + 1e-8) over the masked entries, var unbiased
 * (× n / (n − 1)); masked-out entries become 0. With fewer than 2 entries only the mean is removed.
 */
export function maskedWhiten(x: ArrayLike<number>, mask: Uint8Array): Float64Array {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < x.length; i++) if (mask[i] === 1) (sum += x[i] as number), n++;
  const out = new Float64Array(x.length);
  if (n === 0) return out;
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < x.length; i++) if (mask[i] === 1) ss += ((x[i] as number) - mean) ** 2;
  const scale = n < 2 ? 1 : 1 / Math.sqrt((ss / n) * (n / (n - 1)) + 1e-8);
  for (let i = 0; i < x.length; i++) if (mask[i] === 1) out[i] = ((x[i] as number) - mean) * scale;
  return out;
}
