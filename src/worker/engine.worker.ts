import { createInProcessEngine } from '../core/index';
import { browserSleep, createBrowserFetch } from '../adapters/http/browserFetch';
import { createHttpDataRoot } from '../adapters/http/httpDataRoot';
import { createEngineHost } from './engineHost';
// Requests name their data root (an absolute URL from the page); the worker's own URL is not the app's base.
const engine = createInProcessEngine({ now: () => performance.now(), wallClockMs: () => Date.now(), openDataRoot: (url) => createHttpDataRoot(url), fetch: createBrowserFetch(), sleep: browserSleep, corsPossible: true });
createEngineHost(self as unknown as import('./protocol').MessagePortLike, engine);
