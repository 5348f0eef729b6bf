/**
 * Composition root: creates the engine client (a Web Worker: the UI thread never runs the engine), the
 * store, renders the app, and runs the first episode. Until a policy and a pool exist, that is the
 * project's own scripted example (DESIGN.md §2; no model runs).
 */
import './ui/styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { exampleEngineRequest } from './core';
import { App } from './ui/components/App';
import { createAppStore } from './ui/store/appStore';
import { runEpisodeIntoStore } from './ui/store/bindEngine';
import { EngineClient } from './worker/engineClient';
import { AppStoreContext } from './ui/store/useApp';
import { installTestApi, shouldInstallTestApi } from './ui/testApi';

const store = createAppStore();
if (shouldInstallTestApi(import.meta.env.MODE, window.location.search)) installTestApi(store, window);

const rootElement = document.getElementById('root');
if (rootElement === null) throw new Error('index.html must contain <div id="root"> for the app to mount.');
createRoot(rootElement).render(
  <StrictMode>
    <AppStoreContext.Provider value={store}>
      <App />
    </AppStoreContext.Provider>
  </StrictMode>,
);

const worker = new Worker(new URL('./worker/engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' });
worker.addEventListener('error', (e) => {
  store.getState().failLoad(`The engine worker failed to start (${e.message || 'no details'}). Reload the page; if it persists, use a recent Chromium or Firefox.`);
});
const engine = new EngineClient(worker);
void runEpisodeIntoStore(engine, store, exampleEngineRequest(), 'example');
