/// <reference types="vitest/config" />
import { defineConfig, type Plugin, type Connect } from 'vite';
import react from '@vitejs/plugin-react';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { resolve, normalize, sep, extname } from 'node:path';

/**
 * Data root served at /data/ by the dev and preview servers (DESIGN.md §9): the local mirror of
 * ../shared/data, or ROUTER_DATA_ROOT. The data is read at run time and never bundled or committed.
 */
const dataRoot = resolve(process.env.ROUTER_DATA_ROOT ?? resolve(import.meta.dirname, '../shared/data'));

const MIME: Record<string, string> = {
  '.json': 'application/json',
  '.jsonl': 'application/x-ndjson',
  '.txt': 'text/plain; charset=utf-8',
};

function serveDataRoot(): Connect.NextHandleFunction {
  return (req, res, next) => {
    const url = req.url ?? '';
    const path = decodeURIComponent(url.split('?')[0] ?? '');
    const file = normalize(resolve(dataRoot, '.' + path));
    if (!file.startsWith(dataRoot + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      res.end(`not in the data root (${dataRoot}): ${path}`);
      return;
    }
    res.setHeader('Content-Type', MIME[extname(file)] ?? 'application/octet-stream');
    createReadStream(file).pipe(res);
    void next;
  };
}

/** Cross-origin isolation lets onnxruntime-web use threaded wasm (SharedArrayBuffer). */
function isolationHeaders(): Connect.NextHandleFunction {
  return (_req, res, next) => {
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    next();
  };
}

function localServers(): Plugin {
  return {
    name: 'router-r1-local-servers',
    configureServer(server) {
      server.middlewares.use(isolationHeaders());
      server.middlewares.use('/data', serveDataRoot());
    },
    configurePreviewServer(server) {
      server.middlewares.use(isolationHeaders());
      server.middlewares.use('/data', serveDataRoot());
    },
  };
}

export default defineConfig({
  base: './',
  plugins: [react(), localServers()],
  worker: { format: 'es' },
  // A second page, test-only: the onnxruntime-web harness driven by e2e/specs/runtime.spec.ts and
  // `npm run bench` (src/adapters/ort in a worker, without touching the app's UI or engine worker).
  build: { rolldownOptions: { input: { main: resolve(import.meta.dirname, 'index.html'), runtimeHarness: resolve(import.meta.dirname, 'e2e/harness/runtime.html'), trainHarness: resolve(import.meta.dirname, 'e2e/harness/train.html') } } },
  server: { port: 5173 },
  preview: { port: 4173 },
  test: {
    // CI runs on 2 cores; heavy property and ORT tests must not fail on the default 5 s under load.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['src/core/**/*.test.ts', 'src/adapters/**/*.test.ts', 'src/worker/**/*.test.ts', 'src/cli/**/*.test.ts', 'src/testing/**/*.test.ts', 'src/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'ui',
          environment: 'jsdom',
          include: ['src/ui/**/*.test.ts', 'src/ui/**/*.test.tsx'],
        },
      },
    ],
  },
});
