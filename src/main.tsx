/**
 * Composition root: creates the engine client (a Web Worker: the UI thread never runs the engine), the
 * key vault (memory; localStorage only after the user opts in), the store and the controller, renders
 * the app, and loads the offline pool, the default (no keys needed). A share link (`#s=…` in the
 * fragment, so it never reaches a server log) is opened before the first render; one pasted later asks
 * before it replaces the user's work. Without a link the app opens on the embedded default router
 * policy (public/models/embedded.json).
 */
import './ui/styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createKeyStore } from './adapters/storage/keyStore';
import { filesFromDataTransfer, filesFromFileList } from './adapters/models/fileModelSource';
import { App } from './ui/components/App';
import { createAppController } from './ui/session/appController';
import { ControllerContext } from './ui/session/controllerContext';
import { createAppStore } from './ui/store/appStore';
import { AppStoreContext } from './ui/store/useApp';
import { DEMO_GALLERY_FILE, EMBEDDED_INDEX_FILE, shareCodeFromHash } from './core';
import { installTestApi, shouldInstallTestApi } from './ui/testApi';
import { EngineClient } from './worker/engineClient';

const store = createAppStore();
const worker = new Worker(new URL('./worker/engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' });
worker.addEventListener('error', (e) => {
  store.getState().failLoad(`The engine worker failed to start (${e.message || 'no details'}). Reload the page; if it persists, use a recent Chromium or Firefox.`);
});
const engine = new EngineClient(worker);
// The data root is served at ./data/ by the dev and preview servers (DESIGN.md §9); ?dataRoot=URL overrides it.
const customDataRoot = new URLSearchParams(window.location.search).get('dataRoot');
const dataRoot = new URL(customDataRoot ?? 'data/', document.baseURI).href;
/** A JSON file of the app by URL (the Evaluate view reads embedded.json with it): src/ui has no global fetch. */
const readJson = async (url: string): Promise<unknown> => {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return (await res.json()) as unknown;
};
const controller = createAppController({
  engine,
  trainEngine: engine,
  store,
  keys: createKeyStore(),
  dataRoot,
  sharedDataRoot: customDataRoot === null ? null : dataRoot,
  baseUrl: document.baseURI,
  pickedFiles: { fromFileList: filesFromFileList, fromDataTransfer: filesFromDataTransfer },
  evalStorage: window.localStorage,
  readJson,
  newEpisodeId: () => `episode-${Date.now().toString(36)}`,
  readEmbeddedIndex: async () => {
    const url = new URL(`models/${EMBEDDED_INDEX_FILE}`, document.baseURI).href;
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status} for ${url}`);
    // A static server may answer a missing file with the app's index.html.
    return res.json().catch(() => Promise.reject(new Error(`${url} is not JSON (is the file there?)`)));
  },
  // A static file: the gallery is there on first load, before any model is downloaded.
  readDemoGallery: async () => {
    const res = await fetch(new URL(DEMO_GALLERY_FILE, document.baseURI).href);
    // A static server may answer a missing file with the app's index.html.
    if (!res.ok || (res.headers.get('content-type') ?? '').includes('text/html')) throw new Error(`${DEMO_GALLERY_FILE} is not there${res.ok ? '' : ` (HTTP ${res.status})`}.`);
    return res.text();
  },
});
if (shouldInstallTestApi(import.meta.env.MODE, window.location.search)) installTestApi(store, window);

// A share link opens at once (nothing of the user's is on screen yet); a later one waits for consent.
const openSharedLink = (ask: boolean): boolean => {
  const code = shareCodeFromHash(window.location.hash);
  if (code !== null) controller.openLink(code, { ask });
  return code !== null;
};
// No link: the embedded default policy (it switches to the router policy mode before the first render).
if (!openSharedLink(false)) void controller.openEmbeddedDefault();
window.addEventListener('hashchange', () => openSharedLink(true));

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
