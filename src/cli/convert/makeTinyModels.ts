/**
 * `npm run -s cli -- make-tiny-models [--out DIR]`: (re)write `public/models/tiny-router/` from the
 * seeded generator in core/model/tinyRouter.ts. The only way golden.json changes; review the diff.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { makeTinyRouterFolder, TINY_ROUTER_NAME } from '../../core/model/tinyRouter';

export const DEFAULT_MODELS_DIR = 'public/models';

/** Writes the folder; returns the files written with their sizes. */
export async function writeTinyModels(modelsDir = DEFAULT_MODELS_DIR): Promise<{ path: string; bytes: number }[]> {
  const dir = resolve(modelsDir, TINY_ROUTER_NAME);
  const written: { path: string; bytes: number }[] = [];
  for (const [path, contents] of makeTinyRouterFolder()) {
    const file = join(dir, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, contents);
    written.push({ path: join(TINY_ROUTER_NAME, path), bytes: typeof contents === 'string' ? Buffer.byteLength(contents) : contents.byteLength });
  }
  return written;
}
