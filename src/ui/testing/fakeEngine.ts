/**
 * A fake Engine for UI tests: every method rejects (or streams nothing) unless the test overrides it.
 * Test support only; the app never imports this file.
 */
import type { Engine } from '../../core';

export function fakeEngine(overrides: Partial<Engine> = {}): Engine {
  const unused = (name: string) => () => Promise.reject(new Error(`fakeEngine.${name} was not expected in this test`));
  return {
    // eslint-disable-next-line require-yield
    async *runEpisode() {
      throw new Error('fakeEngine.runEpisode was not expected in this test');
    },
    submitTurn: unused('submitTurn'),
    loadOfflinePool: unused('loadOfflinePool'),
    loadQuestions: unused('loadQuestions'),
    loadReferenceData: unused('loadReferenceData'),
    testConnection: unused('testConnection'),
    // eslint-disable-next-line require-yield
    async *loadModel() {
      throw new Error('fakeEngine.loadModel was not expected in this test');
    },
    // eslint-disable-next-line require-yield
    async *convertModel() {
      throw new Error('fakeEngine.convertModel was not expected in this test');
    },
    listCachedModels: unused('listCachedModels'),
    deleteCachedModel: unused('deleteCachedModel'),
    clearModelCache: unused('clearModelCache'),
    modelCacheQuota: unused('modelCacheQuota'),
    deviceInfo: unused('deviceInfo'),
    // eslint-disable-next-line require-yield
    async *runEvaluation() {
      throw new Error('fakeEngine.runEvaluation was not expected in this test');
    },
    estimateEvaluation: unused('estimateEvaluation'),
    dispose: async () => {},
    ...overrides,
  };
}
