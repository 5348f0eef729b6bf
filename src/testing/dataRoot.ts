/**
 * Test support: the data mirror (../shared/data next to the checkout, read at run time, never copied) as
 * a DataRoot, through the real file-system adapter (adapters/node/fsDataRoot.ts), so tests of every layer
 * read data the way the CLI does. Only tests import src/testing.
 */
import { resolve } from 'node:path';
import { createFsDataRoot } from '../adapters/node/fsDataRoot';
import type { DataRoot } from '../core/data/dataRoot';

/** The mirror's folder: ../shared/data beside the repository root. */
export const MIRROR_DIR = resolve(import.meta.dirname, '../../../shared/data');

/** A DataRoot over `dir` (the mirror by default). */
export function mirrorDataRoot(dir: string = MIRROR_DIR): DataRoot {
  return createFsDataRoot(dir);
}

/** `root`, recording every path read into `reads` (to check what is read, and how often). */
export function countingReads(root: DataRoot, reads: string[]): DataRoot {
  return { location: root.location, readText: (path) => (reads.push(path), root.readText(path)) };
}
