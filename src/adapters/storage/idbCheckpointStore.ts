/**
 * RL checkpoints (core/rl/checkpointStore.ts) in the browser, in IndexedDB. Layout, two object stores
 * keyed by checkpoint id (`<runId>@<step, 6 digits>`; a later save at the same step replaces it):
 *   meta      plain JSON: version, runId, seed, step, reason, config, questions rng, cost window,
 *             metrics, optimizer step, the run setup (policy, device, rollout settings), sizes, times
 *   tensors   weights, AdamW m and v, each packed as { names, lengths, buffer: ArrayBuffer } (float32,
 *             concatenated in the params' order): no per-tensor records, no JSON for numbers
 * Both are written in ONE transaction, so a closed tab mid-save leaves the previous checkpoint whole.
 *
 * The logic (packing, listing, the latest of a run, export/import) runs over the small `CheckpointKv`
 * interface: `createIdbCheckpointKv` is the real IndexedDB; unit tests use an in-memory fake. The file
 * format is checkpointFile.ts. Not for: deciding when to save (the loop does) or model folders.
 */
import type { AdamWState } from '../../core/learner/adamw';
import { TRAIN_CHECKPOINT_VERSION, type CheckpointStore, type TrainCheckpoint } from '../../core/rl/checkpointStore';
import type { ParamMap } from '../../core/learner/paramMap';
import type { TrainCheckpointInfo, TrainRunSetup } from '../../core/engine';

export type StoredCheckpointMeta = Omit<TrainCheckpoint, 'params' | 'optimizer'> & {
  id: string;
  optimizerStep: number;
  setup: TrainRunSetup;
  savedAtEpochMs: number;
  tensorBytes: number;
};

export interface PackedTensors {
  names: string[];
  lengths: number[];
  buffer: ArrayBuffer;
}

export interface StoredCheckpointTensors {
  params: PackedTensors;
  m: PackedTensors;
  v: PackedTensors;
}

/** The storage the checkpoint logic needs: two keyed tables written together. */
export interface CheckpointKv {
  put(meta: StoredCheckpointMeta, tensors: StoredCheckpointTensors): Promise<void>;
  getMeta(id: string): Promise<StoredCheckpointMeta | undefined>;
  getTensors(id: string): Promise<StoredCheckpointTensors | undefined>;
  listMeta(): Promise<StoredCheckpointMeta[]>;
  delete(id: string): Promise<boolean>;
}

export class CheckpointNotFoundError extends Error {
  override name = 'CheckpointNotFoundError';
}

export function checkpointId(runId: string, step: number): string {
  return `${runId}@${String(step).padStart(6, '0')}`;
}

export function packTensors(map: ReadonlyMap<string, Float32Array>): PackedTensors {
  const names = [...map.keys()];
  const lengths = names.map((n) => (map.get(n) as Float32Array).length);
  const all = new Float32Array(lengths.reduce((a, b) => a + b, 0));
  let at = 0;
  for (const n of names) {
    const t = map.get(n) as Float32Array;
    all.set(t, at);
    at += t.length;
  }
  return { names, lengths, buffer: all.buffer };
}

export function unpackTensors(p: PackedTensors): ParamMap {
  const all = new Float32Array(p.buffer);
  const out: ParamMap = new Map();
  let at = 0;
  p.names.forEach((n, i) => {
    const len = p.lengths[i] as number;
    out.set(n, all.slice(at, at + len));
    at += len;
  });
  return out;
}

export function checkpointInfo(m: StoredCheckpointMeta): TrainCheckpointInfo {
  const last = m.metrics.at(-1);
  const p = m.setup.policy;
  const policyName = p.kind === 'embedded' ? p.name : p.kind === 'embedded-mix' ? `${p.name} mixed with ${p.with} (${p.weight})` : p.kind === 'checkpoint' ? `checkpoint ${p.checkpointId}` : p.kind;
  return { id: m.id, runId: m.runId, step: m.step, totalSteps: m.config.steps, seed: m.seed, reason: m.reason, savedAtEpochMs: m.savedAtEpochMs, tensorBytes: m.tensorBytes, policyName, lastReward: last?.rewardMean ?? null };
}

/** Split a checkpoint into its JSON part and its tensors. */
export function toStored(c: TrainCheckpoint, setup: TrainRunSetup, savedAtEpochMs: number): { meta: StoredCheckpointMeta; tensors: StoredCheckpointTensors } {
  const { params, optimizer, ...rest } = c;
  const tensors = { params: packTensors(params), m: packTensors(optimizer.m), v: packTensors(optimizer.v) };
  const tensorBytes = tensors.params.buffer.byteLength + tensors.m.buffer.byteLength + tensors.v.buffer.byteLength;
  // JSON round trip: the meta must be plain data (no shared references with the live run).
  const meta = JSON.parse(JSON.stringify({ ...rest, id: checkpointId(c.runId, c.step), optimizerStep: optimizer.step, setup, savedAtEpochMs, tensorBytes })) as StoredCheckpointMeta;
  return { meta, tensors };
}

export function fromStored(meta: StoredCheckpointMeta, t: StoredCheckpointTensors): TrainCheckpoint {
  const { id: _id, optimizerStep, setup: _setup, savedAtEpochMs: _at, tensorBytes: _b, ...rest } = meta;
  const optimizer: AdamWState = { step: optimizerStep, m: unpackTensors(t.m), v: unpackTensors(t.v) };
  return { ...rest, params: unpackTensors(t.params), optimizer };
}

export interface BrowserCheckpointStore {
  /** The loop's port for one run: every save carries the run's setup. */
  forRun(setup: TrainRunSetup, onSaved?: (info: TrainCheckpointInfo) => void): CheckpointStore;
  /** Newest first. */
  list(): Promise<TrainCheckpointInfo[]>;
  get(id: string): Promise<{ checkpoint: TrainCheckpoint; setup: TrainRunSetup; info: TrainCheckpointInfo }>;
  delete(id: string): Promise<boolean>;
  /** Store a checkpoint read from a file (replaces one with the same id). */
  put(checkpoint: TrainCheckpoint, setup: TrainRunSetup): Promise<TrainCheckpointInfo>;
}

export function createBrowserCheckpointStore(kv: CheckpointKv, o: { wallClockMs: () => number }): BrowserCheckpointStore {
  async function put(c: TrainCheckpoint, setup: TrainRunSetup): Promise<TrainCheckpointInfo> {
    const { meta, tensors } = toStored(c, setup, o.wallClockMs());
    await kv.put(meta, tensors);
    return checkpointInfo(meta);
  }
  async function get(id: string) {
    const [meta, tensors] = await Promise.all([kv.getMeta(id), kv.getTensors(id)]);
    if (meta === undefined || tensors === undefined) throw new CheckpointNotFoundError(`Checkpoint "${id}" is not in this browser's storage (deleted, or saved in another browser profile); import its file instead.`);
    if (meta.version !== TRAIN_CHECKPOINT_VERSION) throw new CheckpointNotFoundError(`Checkpoint "${id}" has version ${String(meta.version)}; this app reads version ${TRAIN_CHECKPOINT_VERSION}.`);
    return { checkpoint: fromStored(meta, tensors), setup: meta.setup, info: checkpointInfo(meta) };
  }
  const newestFirst = (a: StoredCheckpointMeta, b: StoredCheckpointMeta): number => b.savedAtEpochMs - a.savedAtEpochMs || b.step - a.step;
  return {
    forRun: (setup, onSaved) => ({
      async save(c) {
        const info = await put(c, setup);
        onSaved?.(info);
      },
      async load(runId) {
        const latest = (await kv.listMeta()).filter((m) => m.runId === runId).sort(newestFirst)[0];
        return latest === undefined ? undefined : (await get(latest.id)).checkpoint;
      },
    }),
    list: async () => (await kv.listMeta()).sort(newestFirst).map(checkpointInfo),
    get,
    delete: (id) => kv.delete(id),
    put,
  };
}

// --- IndexedDB ------------------------------------------------------------------------------------

const META = 'meta';
const TENSORS = 'tensors';

const done = <T>(req: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });

const committed = (tx: IDBTransaction): Promise<void> =>
  new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
  });

/** The real storage (browser, worker included). Quota errors surface as the rejected save. */
export function createIdbCheckpointKv(dbName = 'router-r1-checkpoints', idb: IDBFactory = indexedDB): CheckpointKv {
  let opening: Promise<IDBDatabase> | null = null;
  const db = (): Promise<IDBDatabase> => {
    opening ??= new Promise<IDBDatabase>((resolve, reject) => {
      const req = idb.open(dbName, 1);
      req.onupgradeneeded = () => {
        req.result.createObjectStore(META, { keyPath: 'id' });
        req.result.createObjectStore(TENSORS);
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error(`IndexedDB "${dbName}" could not be opened (private mode or storage disabled?)`));
    });
    return opening;
  };
  return {
    async put(meta, tensors) {
      const tx = (await db()).transaction([META, TENSORS], 'readwrite');
      tx.objectStore(META).put(meta);
      tx.objectStore(TENSORS).put(tensors, meta.id);
      await committed(tx);
    },
    getMeta: async (id) => (await done((await db()).transaction(META).objectStore(META).get(id))) as StoredCheckpointMeta | undefined,
    getTensors: async (id) => (await done((await db()).transaction(TENSORS).objectStore(TENSORS).get(id))) as StoredCheckpointTensors | undefined,
    listMeta: async () => (await done((await db()).transaction(META).objectStore(META).getAll())) as StoredCheckpointMeta[],
    async delete(id) {
      const tx = (await db()).transaction([META, TENSORS], 'readwrite');
      const existed = (await done(tx.objectStore(META).count(id))) > 0;
      tx.objectStore(META).delete(id);
      tx.objectStore(TENSORS).delete(id);
      await committed(tx);
      return existed;
    },
  };
}
