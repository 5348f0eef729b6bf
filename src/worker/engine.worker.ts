import { createInProcessEngine } from '../core/index';
import { browserSleep, createBrowserFetch } from '../adapters/http/browserFetch';
import { createHttpDataRoot } from '../adapters/http/httpDataRoot';
import { createCacheApiStore, createInMemoryCacheStore, createModelCache } from '../adapters/models/modelCache';
import { createEngineHost } from './engineHost';
import { createBrowserPolicyRuntime } from './policyRuntime';
// Requests name their data root and model URLs absolutely (from the page); the worker's own URL is not the app's base.
// The model cache: the Cache API where the browser has it (secure contexts), else memory for the session.
const store = typeof caches === 'undefined' ? createInMemoryCacheStore() : createCacheApiStore();
const cache = createModelCache({ store, estimate: () => navigator.storage?.estimate?.() ?? Promise.resolve({}) });
const engine = createInProcessEngine({ now: () => performance.now(), wallClockMs: () => Date.now(), openDataRoot: (url) => createHttpDataRoot(url), fetch: createBrowserFetch(), sleep: browserSleep, corsPossible: true, policyRuntime: createBrowserPolicyRuntime({ cache }) });
createEngineHost(self as unknown as import('./protocol').MessagePortLike, engine);
