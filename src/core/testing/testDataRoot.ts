/**
 * A DataRoot over a directory, for tests that read the data mirror (../shared/data). core/testing may not
 * import Node, so the test hands in how to read a file of the directory (node:fs). A read that fails is a
 * DataRootError, as adapters/node/fsDataRoot reports it. Must not be used outside tests.
 */
import { DataRootError, type DataRoot } from '../data/dataRoot';

export function createTestDataRoot(dir: string, read: (path: string) => Promise<string>): DataRoot {
  return {
    location: dir,
    async readText(path) {
      try {
        return await read(path);
      } catch (err) {
        throw new DataRootError(`${path} is missing from the data root ${dir}.`, { cause: err });
      }
    },
  };
}
