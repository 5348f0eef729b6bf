import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DataRootError, type DataRoot } from './dataRoot';
import { createDataRootCache } from './dataRootCache';
import { countingReads, mirrorDataRoot, MIRROR_DIR } from '../../testing/dataRoot';

const MIRROR = MIRROR_DIR;

/** The mirror (through the real fs adapter), counting reads. */
function countingRoot(reads: string[]): (location: string) => DataRoot {
  return (location) => countingReads(mirrorDataRoot(location), reads);
}

describe('createDataRootCache', () => {
  it.skipIf(!existsSync(MIRROR))('reads a root\'s offline bank once for every user of the cache (the engine and the trainer share one)', async () => {
    const reads: string[] = [];
    const roots = createDataRootCache(countingRoot(reads));
    const engineBank = roots.bank(MIRROR);
    const trainerBank = roots.bank(MIRROR);
    expect(trainerBank).toBe(engineBank);
    const bank = await engineBank;
    expect(bank.questions.length).toBeGreaterThan(500);
    const readsOnce = reads.length;
    expect(await roots.bank(MIRROR)).toBe(bank);
    expect(reads.length).toBe(readsOnce);
    expect(roots.open(MIRROR).location).toBe(MIRROR);
  });

  it('forgets a failed load, so the next call reads again', async () => {
    const reads: string[] = [];
    const roots = createDataRootCache(countingRoot(reads));
    await expect(roots.bank('/nowhere')).rejects.toThrow(DataRootError);
    const readsAfterFailure = reads.length;
    expect(readsAfterFailure).toBeGreaterThan(0);
    await expect(roots.bank('/nowhere')).rejects.toThrow(DataRootError);
    expect(reads.length).toBeGreaterThan(readsAfterFailure);
  });
});
