import { createInProcessEngine } from '../core/index';
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
// Training: checkpoints in IndexedDB; a checkpoint becomes a policy folder through the policy runtime.
const train = createTrainRuntime({ cache, checkpoints: createBrowserCheckpointStore(createIdbCheckpointKv(), { wallClockMs: () => Date.now() }), openDataRoot: (url) => createHttpDataRoot(url), now: () => performance.now() });
const engine = createInProcessEngine({ now: () => performance.now(), wallClockMs: () => Date.now(), openDataRoot: (url) => createHttpDataRoot(url), fetch: createBrowserFetch(), sleep: browserSleep, corsPossible: true, policyRuntime: createBrowserPolicyRuntime({ cache, checkpointFolder: (id) => train.checkpointFolder(id) }) });
createEngineHost(self as unknown as import('./protocol').MessagePortLike, engine, train);
