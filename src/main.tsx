/**
 * Composition root: creates the engine client (a Web Worker: the UI thread never runs the engine), the
 * key vault (memory; localStorage only after the user opts in), the store and the controller, renders
 * the app, and loads the offline pool, the default (no keys needed).
 */
import './ui/styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createKeyStore } from './adapters/storage/keyStore';
import { App } from './ui/components/App';
import { createAppController } from './ui/session/appController';
import { ControllerContext } from './ui/session/controllerContext';
import { createAppStore } from './ui/store/appStore';
import { AppStoreContext } from './ui/store/useApp';
import { installTestApi, shouldInstallTestApi } from './ui/testApi';
import { EngineClient } from './worker/engineClient';

const store = createAppStore();
const worker = new Worker(new URL('./worker/engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' });
worker.addEventListener('error', (e) => {
  store.getState().failLoad(`The engine worker failed to start (${e.message || 'no details'}). Reload the page; if it persists, use a recent Chromium or Firefox.`);
});
const engine = new EngineClient(worker);
// The data root is served at ./data/ by the dev and preview servers (DESIGN.md §9); ?dataRoot=URL overrides it.
const dataRoot = new URL(new URLSearchParams(window.location.search).get('dataRoot') ?? 'data/', document.baseURI).href;
const controller = createAppController({ engine, store, keys: createKeyStore(), dataRoot, newEpisodeId: () => `episode-${Date.now().toString(36)}` });
if (shouldInstallTestApi(import.meta.env.MODE, window.location.search)) installTestApi(store, window);

const rootElement = document.getElementById('root');
if (rootElement === null) throw new Error('index.html must contain <div id="root"> for the app to mount.');
createRoot(rootElement).render(
  <StrictMode>
    <AppStoreContext.Provider value={store}>
      <ControllerContext.Provider value={controller}>
        <App />
      </ControllerContext.Provider>
    </AppStoreContext.Provider>
  </StrictMode>,
);

void controller.init();
