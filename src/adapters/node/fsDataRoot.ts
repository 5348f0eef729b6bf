/**
 * The data root on the local file system (CLI and Node tests). Default: ../shared/data relative to
 * the working directory, or ROUTER_DATA_ROOT.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { DataRootError, type DataRoot } from '../../core/data/dataRoot';

export const DEFAULT_DATA_ROOT = '../shared/data';

export function defaultDataRootDir(env: Record<string, string | undefined> = process.env): string {
  return env.ROUTER_DATA_ROOT ?? DEFAULT_DATA_ROOT;
}

export function createFsDataRoot(dir: string): DataRoot {
  const root = resolve(dir);
  return {
    location: root,
    async readText(path) {
      const file = resolve(root, path);
      if (!file.startsWith(root + sep)) throw new DataRootError(`${path} is outside the data root ${root}.`);
      try {
        return await readFile(file, 'utf8');
      } catch (err) {
        const exists = await stat(root).then(() => true, () => false);
        const hint = exists
          ? `${path} is missing from the data root ${root}. Check that it is a complete copy of shared/data.`
          : `The data root ${root} does not exist. Pass --data-root DIR or set ROUTER_DATA_ROOT (default ${DEFAULT_DATA_ROOT}).`;
        const missing = (err as { code?: unknown }).code === 'ENOENT';
        throw new DataRootError(hint, { missing, cause: err });
      }
    },
  };
}
