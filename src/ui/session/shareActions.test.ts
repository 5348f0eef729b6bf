import { describe, expect, it } from 'vitest';
import { buildExampleTrajectory, decodeShareCode, DEFAULT_SHARE_CONFIG, encodeShareCode, parseBundle, shareCodeFromHash, type PoolModelRecord } from '../../core';
import { createAppStore } from '../store/appStore';
import { fakeEngine } from '../testing/fakeEngine';
import { createAppController } from './appController';
import { createMemoryKeyVault } from '../../core';

const CANARY = 'sk-canary-ui-share-7f3a9c1b5d';
const OFFLINE: PoolModelRecord[] = [{ name: 'small', provider: 'offline', providerModelId: 'small', inputPer1M: 0.1, outputPer1M: 0.1, simulated: true }];

function setup() {
  const store = createAppStore();
  const keys = createMemoryKeyVault();
  const controller = createAppController({ engine: fakeEngine(), store, keys, dataRoot: 'http://app/data/' });
  store.getState().setProviders([{ id: 'openai', label: 'OpenAI', kind: 'openai', baseUrl: 'https://api.openai.com/v1', needsKey: true }]);
  store.getState().setPool('offline', OFFLINE);
  return { store, keys, controller };
}

describe('opening share links', () => {
  it('opens a trajectory link in replay, at the start, with nothing run', async () => {
    const { store, controller } = setup();
    const t = await buildExampleTrajectory();
    controller.openLink(encodeShareCode({ config: DEFAULT_SHARE_CONFIG, trajectory: t }));
    const s = store.getState();
    expect(s).toMatchObject({ mode: 'replay', source: 'shared', revealed: 0, phase: 'finished', linkError: null });
    expect(s.trajectory).toEqual(t);
    expect(s.linkNotice).toContain('Opened a shared trajectory');
  });

  it('fills in a configuration link, asks for the keys its pool needs, and never raises the spending cap', () => {
    const { store, controller } = setup();
    const pool: PoolModelRecord[] = [{ name: 'gpt', provider: 'openai', providerModelId: 'gpt-4o-mini', inputPer1M: 0.15, outputPer1M: 0.6 }];
    const question = { id: 'q9', dataset: 'free', text: 'Who?', goldAnswers: ['me'] };
    const settings = { ...DEFAULT_SHARE_CONFIG.settings, maxTurns: 2 };
    controller.openLink(encodeShareCode({ config: { ...DEFAULT_SHARE_CONFIG, pool, question, settings, alpha: 0.4, limits: { maxCalls: null, maxSpendUsd: 50 } } }));
    const s = store.getState();
    expect(s).toMatchObject({ mode: 'human', models: pool, question, presetId: 'custom', spendingCapUsd: 1 });
    expect(s.runConfig).toMatchObject({ alpha: 0.4, settings: { maxTurns: 2 } });
    expect(s.linkNotice).toContain('needs your key for OpenAI');
  });

  it('shows a bad link as an error and changes nothing else', () => {
    const { store, controller } = setup();
    const before = { ...store.getState() };
    controller.openLink('v1.definitely-not-a-link');
    const s = store.getState();
    expect(s.linkError).toContain('damaged');
    expect(s.linkError).toContain('The app is unchanged');
    expect([s.models, s.question, s.trajectory, s.runConfig, s.mode]).toEqual([before.models, before.question, before.trajectory, before.runConfig, before.mode]);
    s.dismissLink();
    expect(store.getState().linkError).toBeNull();
  });

  it('asks before a link replaces the user’s work', async () => {
    const { store, controller } = setup();
    store.getState().updateModel(0, { outputPer1M: 9 });
    const t = await buildExampleTrajectory();
    controller.openLink(encodeShareCode({ config: DEFAULT_SHARE_CONFIG, trajectory: t }), { ask: true });
    expect(store.getState().pendingLink).not.toBeNull();
    expect(store.getState().trajectory).toBeNull();
    controller.acceptPendingLink();
    expect(store.getState()).toMatchObject({ pendingLink: null, source: 'shared' });
  });
});

describe('making links and bundles', () => {
  it('makes a trajectory link that reopens the same trajectory and holds no key', async () => {
    const { store, controller, keys } = setup();
    keys.set('openai', CANARY);
    store.getState().loadTrajectory(await buildExampleTrajectory(), 'example');
    controller.makeShareLink('trajectory', 'http://host/sub/');
    const out = store.getState().shareOutcome;
    if (out?.status !== 'link') throw new Error(`no link: ${JSON.stringify(out)}`);
    expect(out.url).toMatch(/^http:\/\/host\/sub\/#s=v1\./);
    const r = decodeShareCode(shareCodeFromHash(new URL(out.url).hash) ?? '');
    expect(r.ok && r.state.trajectory).toEqual(store.getState().trajectory);
    expect(JSON.stringify(r)).not.toContain(CANARY);
  });

  it('refuses a link or bundle that would carry a key pasted into a shared field', () => {
    const { store, controller, keys } = setup();
    keys.set('openai', CANARY);
    store.getState().updateModel(0, { providerModelId: CANARY });
    controller.makeShareLink('config', 'http://host/');
    expect(store.getState().shareOutcome).toMatchObject({ status: 'failed', message: expect.stringContaining('openai API key') });
    expect(controller.exportBundle()).toBeNull();
  });

  it('exports a bundle and imports it back', async () => {
    const { store, controller, keys } = setup();
    keys.set('openai', CANARY);
    const t = await buildExampleTrajectory();
    store.getState().loadTrajectory(t, 'example');
    const text = controller.exportBundle() ?? '';
    expect(text).not.toContain(CANARY);
    expect(parseBundle(text).ok).toBe(true);
    const fresh = setup();
    fresh.controller.importBundle(text);
    expect(fresh.store.getState()).toMatchObject({ source: 'shared', mode: 'replay' });
    expect(fresh.store.getState().trajectory).toEqual(t);
    fresh.controller.importBundle('{"format": "something else"}');
    expect(fresh.store.getState().linkError).toContain('not a Router-R1 Studio bundle');
    expect(fresh.store.getState().trajectory).toEqual(t);
  });
});
