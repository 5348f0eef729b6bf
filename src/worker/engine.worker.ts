import { createInProcessEngine } from '../core/index';
import { createEngineHost } from './engineHost';
createEngineHost(self as unknown as import('./protocol').MessagePortLike, createInProcessEngine({ now: () => performance.now() }));
