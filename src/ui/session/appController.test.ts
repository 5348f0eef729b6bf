import { describe, expect, it } from 'vitest';
import type { EngineEpisodeRequest, OfflinePoolInfo, PoolModelRecord } from '../../core';
import { createAppStore } from '../store/appStore';
import { fakeEngine } from '../testing/fakeEngine';
import { createAppController } from './appController';
import { createMemoryKeyVault } from '../../core';

const OFFLINE: PoolModelRecord[] = [
  { name: 'small', provider: 'offline', providerModelId: 'small', inputPer1M: 0.1, outputPer1M: 0.1, simulated: true },
  { name: 'large', provider: 'offline', providerModelId: 'large', inputPer1M: 0.9, outputPer1M: 0.9, simulated: true },
];
const INFO: OfflinePoolInfo = { location: '/data/', pool: OFFLINE, questions: [{ id: 'q1', dataset: 'offline-nq', text: 'who?', goldAnswers: ['x'] }] };

function setup() {
  const store = createAppStore();
  const requests: EngineEpisodeRequest[] = [];
  const engine = fakeEngine({
    loadOfflinePool: async () => INFO,
    loadReferenceData: async () => Promise.reject(new Error('no reference data here')),
    // eslint-disable-next-line require-yield
    async *runEpisode(req) {
      requests.push(req);
    },
  });
  const keys = createMemoryKeyVault();
  const controller = createAppController({ engine, store, keys, dataRoot: 'http://app/data/', newEpisodeId: () => 'e1' });
  return { store, requests, keys, controller };
}

describe('appController', () => {
  it('starts on the offline pool with its first question, and says why presets are missing', async () => {
    const { store, controller } = setup();
    await controller.init();
    const s = store.getState();
    expect(s.models).toEqual(OFFLINE);
    expect(s.question?.text).toBe('who?');
    expect(s.offlineData.status).toBe('ready');
    expect(s.referenceData).toEqual({ status: 'failed', error: 'no reference data here' });
  });

  it('plays the offline pool with no keys, and sends only the keys of providers the pool calls', async () => {
    const { store, controller, requests } = setup();
    await controller.init();
    await controller.startHumanEpisode();
    expect(requests[0]).toMatchObject({ dataRoot: 'http://app/data/', policy: { kind: 'human' }, candidates: { kind: 'offline' }, episode: { id: 'e1', template: 'compact' } });
    expect(requests[0]?.episode.prompt).toContain('small ($0.1/M)');

    controller.setKey('openai', 'sk-used-key-123456');
    controller.setKey('together', 'tk-unused-key-123456');
    store.getState().updateModel(0, { provider: 'openai', providerModelId: 'gpt', simulated: false });
    store.getState().setSpendingCap(2);
    await controller.startHumanEpisode();
    const spec = requests[1]?.candidates;
    expect(spec).toMatchObject({ kind: 'http', keys: { openai: 'sk-used-key-123456' }, spendingCapUsd: 2 });
    expect(spec?.kind === 'http' && spec.providers.map((p) => p.id)).toEqual(['openai']);
    expect(store.getState().hasKey).toEqual({ openai: true, together: true });
  });

  it('shows a bad trajectory file as an error and keeps the app usable', async () => {
    const { store, controller } = setup();
    controller.importTrajectory('{"version": 99}');
    expect(store.getState().episodeError).toContain('Unsupported trajectory version 99');
    controller.importTrajectory('not json');
    expect(store.getState().episodeError).toContain('not JSON');
  });
});
