/**
 * Bundles: a run as one JSON file (DESIGN.md §8) — its configuration, trajectories, optional
 * evaluation results, the pool's prices and every recorded candidate reply, so anyone can replay it
 * offline or re-run it live with their own keys. Never keys: the types have no place for one, and
 * serializeBundle scans the text for the user's keys before it is written.
 *
 * Import validates the whole file through the same field tables as links (file mode: full names,
 * every field written), and says what is wrong and where.
 */
import type { Trajectory, TokenUsage } from '../env/trajectory';
import { decodeRecord, encodeRecord, isPlainObject, parseJsonNotingHostileKeys, list, oneOf, record, SchemaDecodeError, text, float, int, type TableOf } from './schema';
import { CONFIG_FIELDS, EVALUATION_FIELDS, POOL_MODEL_FIELDS, TRAJECTORY_FIELDS } from './shareFields';
import { assertNoSecrets } from './secrets';
import type { EvaluationSummary, ShareConfig } from './shareState';

export const BUNDLE_FORMAT = 'router-r1-studio.bundle';
export const BUNDLE_VERSION = 1;
/** 64 MB of JSON text; bigger runs are split by the user. */
export const MAX_BUNDLE_CHARS = 64_000_000;
export const MAX_BUNDLE_TRAJECTORIES = 10_000;

/** A pool model's prices (USD per 1M tokens), for cost columns without re-running. */
export interface PriceRecord {
  name: string;
  provider: string;
  providerModelId: string;
  inputPer1M: number;
  outputPer1M: number;
}

/** A candidate reply as recorded, keyed by what was asked: replays and offline re-runs read these. */
export interface RecordedReply {
  provider: string;
  providerModelId: string;
  prompt: string;
  reply: string;
  usage: TokenUsage;
  latencyMs: number;
}

export interface Bundle {
  format: typeof BUNDLE_FORMAT;
  version: typeof BUNDLE_VERSION;
  configuration: ShareConfig;
  trajectories: Trajectory[];
  results?: EvaluationSummary;
  prices: PriceRecord[];
  replies: RecordedReply[];
}

export class BundleError extends Error {
  override name = 'BundleError';
}

export type BundleParseResult = { ok: true; bundle: Bundle } | { ok: false; error: BundleError };

const PRICE_FIELDS = {
  name: POOL_MODEL_FIELDS.name,
  provider: POOL_MODEL_FIELDS.provider,
  providerModelId: POOL_MODEL_FIELDS.providerModelId,
  inputPer1M: POOL_MODEL_FIELDS.inputPer1M,
  outputPer1M: POOL_MODEL_FIELDS.outputPer1M,
} as const satisfies TableOf<PriceRecord>;

const REPLY_FIELDS = {
  provider: POOL_MODEL_FIELDS.provider,
  providerModelId: POOL_MODEL_FIELDS.providerModelId,
  prompt: text('p', 200_000),
  reply: text('y', 200_000),
  usage: record('u', { promptTokens: int('p', 0, 1e9), completionTokens: int('c', 0, 1e9) }),
  latencyMs: float('l', 0, 1e9),
} as const satisfies TableOf<RecordedReply>;

export const BUNDLE_FIELDS = {
  format: oneOf('f', [BUNDLE_FORMAT]),
  version: oneOf('v', [BUNDLE_VERSION]),
  configuration: record('c', CONFIG_FIELDS),
  trajectories: list('t', record('', TRAJECTORY_FIELDS), MAX_BUNDLE_TRAJECTORIES),
  results: record('r', EVALUATION_FIELDS, { optional: true }),
  prices: list('p', record('', PRICE_FIELDS), 10_000),
  replies: list('y', record('', REPLY_FIELDS), 1_000_000),
} as const satisfies TableOf<Bundle>;

/** Prices of every model in the configuration and the trajectories (first occurrence wins). */
function collectPrices(configuration: ShareConfig, trajectories: readonly Trajectory[]): PriceRecord[] {
  const seen = new Map<string, PriceRecord>();
  for (const m of [...configuration.pool, ...trajectories.flatMap((t) => t.pool)]) {
    const key = `${m.provider}\u0000${m.providerModelId}\u0000${m.name}`;
    if (!seen.has(key)) seen.set(key, { name: m.name, provider: m.provider, providerModelId: m.providerModelId, inputPer1M: m.inputPer1M, outputPer1M: m.outputPer1M });
  }
  return [...seen.values()];
}

/** Every answered call of the trajectories, once per (provider, model, prompt). */
function collectReplies(trajectories: readonly Trajectory[]): RecordedReply[] {
  const seen = new Map<string, RecordedReply>();
  for (const t of trajectories) {
    for (const round of t.rounds) {
      const call = round.call;
      const model = call?.poolIndex == null ? undefined : t.pool[call.poolIndex];
      if (call == null || model === undefined || call.prompt === null || call.reply === null || call.usage === null) continue;
      const key = `${model.provider}\u0000${model.providerModelId}\u0000${call.prompt}`;
      if (!seen.has(key)) seen.set(key, { provider: model.provider, providerModelId: model.providerModelId, prompt: call.prompt, reply: call.reply, usage: { ...call.usage }, latencyMs: call.latencyMs });
    }
  }
  return [...seen.values()];
}

export function createBundle(parts: { configuration: ShareConfig; trajectories: readonly Trajectory[]; results?: EvaluationSummary }): Bundle {
  const trajectories = [...parts.trajectories];
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    configuration: parts.configuration,
    trajectories,
    ...(parts.results === undefined ? {} : { results: parts.results }),
    prices: collectPrices(parts.configuration, trajectories),
    replies: collectReplies(trajectories),
  };
}

/** Pretty JSON with every field named. Throws SecretLeakError when one of `keys` would be in it. */
export function serializeBundle(bundle: Bundle, keys: Readonly<Record<string, string>> = {}): string {
  const textOut = JSON.stringify(encodeRecord(BUNDLE_FIELDS, bundle as unknown as Record<string, unknown>, [], 'file'), null, 2);
  assertNoSecrets(textOut, keys);
  return textOut;
}

const fail = (message: string): BundleParseResult => ({ ok: false, error: new BundleError(message) });

/** Parse and validate a bundle file; never throws. */
export function parseBundle(input: string): BundleParseResult {
  try {
    if (typeof input !== 'string' || input.trim() === '') return fail('This file is empty. Pick a bundle exported from Router-R1 Studio (*.bundle.json).');
    if (input.length > MAX_BUNDLE_CHARS) return fail(`This file is ${input.length} characters; bundles are read up to ${MAX_BUNDLE_CHARS}. Export fewer trajectories per bundle.`);
    let parsed: ReturnType<typeof parseJsonNotingHostileKeys>;
    try {
      parsed = parseJsonNotingHostileKeys(input);
    } catch (err) {
      return fail(`This file is not JSON (${err instanceof Error ? err.message : String(err)}). Pick a bundle exported from Router-R1 Studio.`);
    }
    const { data, hostile } = parsed;
    if (hostile !== null) return fail(`This file contains a forbidden field name ("${hostile}") and was not opened.`);
    if (!isPlainObject(data) || data['format'] !== BUNDLE_FORMAT) return fail(`This file is not a Router-R1 Studio bundle (its "format" is not "${BUNDLE_FORMAT}"). A single trajectory file opens with "Import trajectory JSON".`);
    const version = data['version'];
    if (version !== BUNDLE_VERSION) {
      return fail(typeof version === 'number' && version > BUNDLE_VERSION
        ? `This bundle was made by a newer Router-R1 Studio (bundle version ${version}; this app reads version ${BUNDLE_VERSION}). Open it in the latest version of the app.`
        : `Unknown bundle version ${String(version)}; this app reads version ${BUNDLE_VERSION}.`);
    }
    return { ok: true, bundle: decodeRecord(BUNDLE_FIELDS, data, 'bundle', [], 'file') as unknown as Bundle };
  } catch (err) {
    if (err instanceof SchemaDecodeError) return fail(`This bundle has an invalid value: ${err.path} ${err.reason}. Nothing was imported.`);
    return fail(`This bundle could not be read (${err instanceof Error ? err.message : String(err)}).`);
  }
}
