/** The committed tiny model folder is exactly what `make-tiny-models` writes (regenerate and review to change it). */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTinyRouterFolder, TINY_ROUTER_NAME } from '../../core/model/tinyRouter';
import { DEFAULT_MODELS_DIR } from './makeTinyModels';

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else out.push(p);
  }
  return out;
}

describe('make-tiny-models', () => {
  it('regenerates public/models/tiny-router byte for byte (and it stays under 2 MB)', async () => {
    const dir = join(DEFAULT_MODELS_DIR, TINY_ROUTER_NAME);
    const expected = makeTinyRouterFolder();
    const committed = (await listFiles(dir)).map((f) => relative(dir, f)).sort();
    expect(committed).toEqual([...expected.keys()].sort());
    let total = 0;
    for (const [path, contents] of expected) {
      const bytes = typeof contents === 'string' ? new TextEncoder().encode(contents) : contents;
      const onDisk = new Uint8Array(await readFile(join(dir, path)));
      total += onDisk.byteLength;
      expect(Buffer.compare(onDisk, bytes), `${path} differs from the generator: run npm run -s cli -- make-tiny-models and review the diff`).toBe(0);
    }
    expect(total).toBeLessThan(2 * 2 ** 20);
  });
});
