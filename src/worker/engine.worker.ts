/**
 * The worker's composition root: builds the engine, the training runtime and what they share (the model
 * cache, the data-root cache), and serves them on the worker's port. Must not hold logic of its own.
 */
import { createInProcessEngine } from '../core/index';
import { createDataRootCache } from '../core/data/dataRootCache';
import { browserSleep, createBrowserFetch } from '../adapters/http/browserFetch';
import { createHttpDataRoot } from '../adapters/http/httpDataRoot';
import { createCacheApiStore, createInMemoryCacheStore, createModelCache } from '../adapters/models/modelCache';
import { createEngineHost } from './engineHost';
import { createBrowserPolicyRuntime } from './policyRuntime';
import { createTrainRuntime } from './trainRuntime';
import { createBrowserCheckpointStore, createIdbCheckpointKv } from '../adapters/storage/idbCheckpointStore';
// Requests name their data root and model URLs absolutely (from the page); the worker's own URL is not the app's base.
// The model cache: the Cache API where the browser has it (secure contexts), else memory for the session.
const store = typeof caches === 'undefined' ? createInMemoryCacheStore() : createCacheApiStore();
const cache = createModelCache({ store, estimate: () => navigator.storage?.estimate?.() ?? Promise.resolve({}) });
// One data-root cache for the engine and the trainer: the offline bank is read once per root.
const dataRoots = createDataRootCache((url) => createHttpDataRoot(url));
// Training: checkpoints in IndexedDB; a checkpoint becomes a policy folder through the policy runtime.
const train = createTrainRuntime({ cache, checkpoints: createBrowserCheckpointStore(createIdbCheckpointKv(), { wallClockMs: () => Date.now() }), dataRoots, now: () => performance.now() });
const engine = createInProcessEngine({ now: () => performance.now(), wallClockMs: () => Date.now(), dataRoots, fetch: createBrowserFetch(), sleep: browserSleep, corsPossible: true, policyRuntime: createBrowserPolicyRuntime({ cache, checkpointFolder: (id) => train.checkpointFolder(id), now: () => performance.now() }) });
createEngineHost(self as unknown as import('./protocol').MessagePortLike, engine, train);
