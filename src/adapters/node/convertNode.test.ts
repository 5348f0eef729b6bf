/**
 * Converter acceptance: checkpoints the test writes (Qwen2 and Llama shapes, F32/BF16, single and
 * sharded) → convert (directly, and through a URL prefix on a local HTTP server; the CLI command is tested in
 * src/cli/convert/convertCommand.test.ts) →
 * onnxruntime-node logits equal the float64 reference on the dequantised weights within 1e-3.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelFolder } from '../../core/model/modelFolder';
import { makeTestCheckpoint, type TestCheckpoint } from '../../testing/testCheckpoints';
import { dequantisedWeights } from '../../core/model/tinyRouter';
import { referenceForward } from '../../core/onnx/referenceForward';
import { convertToFolder } from './convertNode';
import { createFsModelSource } from './modelFs';
import { createNodeSession, runDecoder, type NodeSession } from './ortNode';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'convert-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function writeFolder(dir: string, files: Map<string, string | Uint8Array>): Promise<string> {
  for (const [path, contents] of files) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), contents);
  }
  return dir;
}

const TOKENS = [269, 117, 115, 260, 10, 87, 104, 111, 270, 5, 200];

/** ORT logits for TOKENS vs the reference on the dequantised (q4) weights. */
async function expectMatchesReference(session: NodeSession, ckpt: TestCheckpoint): Promise<void> {
  const c = ckpt.config;
  const out = await runDecoder(session, { numLayers: c.numLayers, numKvHeads: c.numKvHeads, headDim: c.headDim }, { inputIds: [TOKENS] });
  const ref = referenceForward(c, dequantisedWeights(c, ckpt.weights), TOKENS).logits;
  expect(out.logits.length).toBe(ref.length);
  let maxErr = 0;
  for (let i = 0; i < ref.length; i++) maxErr = Math.max(maxErr, Math.abs((out.logits[i] ?? NaN) - (ref[i] ?? 0)));
  expect(maxErr).toBeLessThan(1e-3);
}

async function convertAndCheck(name: string, ckpt: TestCheckpoint, input?: string): Promise<string> {
  const src = await writeFolder(join(root, `${name}-ckpt`), ckpt.files);
  const out = join(root, `${name}-out`);
  await convertToFolder(input ?? src, out);
  const folder = await loadModelFolder(createFsModelSource(out));
  expect(folder.onnx.path).toBe('onnx/model_q4.onnx');
  await expectMatchesReference(await createNodeSession(folder.onnx.bytes), ckpt);
  return out;
}

/** A static server over `dir` with HTTP Range support, on 127.0.0.1. */
async function serve(dir: string): Promise<{ url: string; server: Server; ranges: number }> {
  const state = { ranges: 0 };
  const server = createServer(async (req, res) => {
    const file = normalize(join(dir, decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/')));
    const info = file.startsWith(dir) ? await stat(file).catch(() => null) : null;
    if (info === null || !info.isFile()) return void res.writeHead(404).end();
    const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '');
    if (m === null) return void (res.writeHead(200, { 'Content-Length': info.size }), createReadStream(file).pipe(res));
    state.ranges++;
    const [a, b] = [Number(m[1]), Math.min(Number(m[2]), info.size - 1)];
    res.writeHead(206, { 'Content-Length': b - a + 1, 'Content-Range': `bytes ${a}-${b}/${info.size}` });
    createReadStream(file, { start: a, end: b }).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/`, server, get ranges() { return state.ranges; } };
}

describe('convert → onnxruntime-node matches the reference (q4, 1e-3)', () => {
  it('a Qwen2-shaped F32 checkpoint', async () => {
    await convertAndCheck('qwen-f32', makeTestCheckpoint({ family: 'qwen2' }));
  });

  it('a sharded BF16 Llama-shaped checkpoint', async () => {
    await convertAndCheck('llama-bf16', makeTestCheckpoint({ family: 'llama', dtype: 'BF16', shards: 2, seed: 3 }));
  });

  it('an F16 checkpoint served over HTTP (a URL prefix, read with Range requests)', async () => {
    const ckpt = makeTestCheckpoint({ family: 'qwen2', dtype: 'F16', shards: 2, seed: 4 });
    const dir = await writeFolder(join(root, 'served'), ckpt.files);
    const http = await serve(dir);
    try {
      const out = join(root, 'served-out');
      await convertToFolder(http.url, out);
      expect(http.ranges).toBeGreaterThan(ckpt.weights.size); // tensor by tensor, not whole files
      const folder = await loadModelFolder(createFsModelSource(out));
      await expectMatchesReference(await createNodeSession(folder.onnx.bytes), ckpt);
    } finally {
      http.server.close();
    }
  });

  it('clear errors: a truncated safetensors file, a missing tokenizer', async () => {
    const truncated = makeTestCheckpoint();
    const st = truncated.files.get('model.safetensors') as Uint8Array;
    truncated.files.set('model.safetensors', st.subarray(0, st.length - 10));
    const a = await writeFolder(join(root, 'trunc'), truncated.files);
    await expect(convertToFolder(a, join(root, 'trunc-out'))).rejects.toThrow(/model\.safetensors is truncated: its tensors need \d+ bytes, the file has \d+/);
    const b = await writeFolder(join(root, 'notok'), makeTestCheckpoint({ withoutTokenizer: true }).files);
    await expect(convertToFolder(b, join(root, 'notok-out'))).rejects.toThrow(/has no tokenizer\.json/);
    await expect(convertToFolder(join(root, 'nowhere'), join(root, 'x'))).rejects.toThrow(/has no config\.json/);
  });
});
