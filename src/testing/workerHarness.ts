/**
 * Test support for the worker layer run in Node: the engine behind a real MessageChannel (EngineClient ↔
 * EngineHost, as the browser has it), public/ served over HTTP the way `vite preview` serves it, and
 * onnxruntime-web's wasm files taken from the package on one thread (the app gets them from Vite `?url`
 * imports). Only tests import src/testing.
 */
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import type * as OrtEnvironment from '../adapters/ort/ortEnvironment';
import type { Engine, TrainEngine } from '../core/engine';
import { EngineClient } from '../worker/engineClient';
import { createEngineHost } from '../worker/engineHost';
import type { MessagePortLike } from '../worker/protocol';

const REPO = resolve(import.meta.dirname, '../..');
export const PUBLIC_DIR = join(REPO, 'public');
const ORT_DIST = join(REPO, 'node_modules/onnxruntime-web/dist') + sep;

/**
 * The ortEnvironment module with its wasm files read from node_modules, one thread. For a test's
 * `vi.mock('…/adapters/ort/ortEnvironment', async (orig) => (await import('…/testing/workerHarness')).ortEnvironmentInNode(await orig()))`.
 */
export function ortEnvironmentInNode(m: typeof OrtEnvironment): typeof OrtEnvironment {
  return { ...m, configureOrtEnvironment: (ort, build) => m.configureOrtEnvironment(ort, build, { wasmPaths: ORT_DIST, numThreads: 1 }) };
}

/** Engines behind real MessageChannels; `closeAll` closes every channel opened so far (call it after each test or suite). */
export function createEngineChannels(): { connect(engine: Engine, train?: TrainEngine): EngineClient; closeAll(): void } {
  const channels: MessageChannel[] = [];
  return {
    connect(engine, train) {
      const channel = new MessageChannel();
      channels.push(channel);
      createEngineHost(channel.port2 as unknown as MessagePortLike, engine, train);
      return new EngineClient(channel.port1 as unknown as MessagePortLike);
    },
    closeAll() {
      for (const c of channels.splice(0)) {
        c.port1.close();
        c.port2.close();
      }
    },
  };
}

export interface PublicServer {
  server: Server;
  /** http://127.0.0.1:<port>/ */
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * public/ over HTTP: GET and HEAD with Range (206). A missing file is a 404, or with `spaFallback` what
 * `vite preview` answers — index.html with 200 — so that code probing for a file must not trust a 200.
 */
export function servePublic(o: { spaFallback?: boolean } = {}): Promise<PublicServer> {
  const server = createServer((req, res) => {
    void (async () => {
      const file = resolve(PUBLIC_DIR, `.${decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)}`);
      const body = (bytes: Uint8Array | string): Uint8Array | string | undefined => (req.method === 'HEAD' ? undefined : bytes);
      if (!file.startsWith(PUBLIC_DIR + sep) || !(await stat(file).catch(() => null))?.isFile()) {
        if (o.spaFallback !== true) return void res.writeHead(404).end();
        const html = '<!doctype html><html><body>Router-R1 Studio</body></html>';
        return void res.writeHead(200, { 'content-type': 'text/html', 'content-length': html.length }).end(body(html));
      }
      const bytes = await readFile(file);
      const headers = { 'content-type': extname(file) === '.json' ? 'application/json' : 'application/octet-stream', 'accept-ranges': 'bytes' };
      const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
      if (range === null) return void res.writeHead(200, { ...headers, 'content-length': bytes.length }).end(body(bytes));
      const start = Number(range[1]);
      const end = Math.min(range[2] === '' ? bytes.length - 1 : Number(range[2]), bytes.length - 1);
      res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${bytes.length}`, 'content-length': end - start + 1 }).end(body(bytes.subarray(start, end + 1)));
    })();
  });
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () => ok({ server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise<void>((done) => server.close(() => done())) })),
  );
}
