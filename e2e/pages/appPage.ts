/** Page object of the trajectory viewer: locators by dotted test id, and the typed test API. */
import { expect, type Locator, type Page } from '@playwright/test';
import type { Trajectory } from '../../src/core';
import type { AppSnapshot } from '../../src/ui/testApi';

export type RoundPart = 'think' | 'route' | 'route.name' | 'route.resolved' | 'route.query' | 'reply' | 'reply.text' | 'tokens' | 'cost' | 'latency' | 'error' | 'answer' | 'invalid';

export class AppPage {
  readonly title: Locator;
  readonly sourceLabel: Locator;
  readonly question: Locator;
  readonly goldAnswers: Locator;
  readonly position: Locator;
  readonly rounds: Locator;
  readonly next: Locator;
  readonly prev: Locator;
  readonly start: Locator;
  readonly end: Locator;
  readonly rewardPending: Locator;

  constructor(readonly page: Page) {
    this.title = page.getByTestId('header.title');
    this.sourceLabel = page.getByTestId('header.source');
    this.question = page.getByTestId('question.text');
    this.goldAnswers = page.getByTestId('question.gold');
    this.position = page.getByTestId('controls.position');
    this.rounds = page.getByTestId(/^timeline\.round\.\d+$/);
    this.next = page.getByTestId('controls.next');
    this.prev = page.getByTestId('controls.prev');
    this.start = page.getByTestId('controls.start');
    this.end = page.getByTestId('controls.end');
    this.rewardPending = page.getByTestId('reward.pending');
  }

  /**
   * Open the built app with its test API enabled and switch to "you are the router" with the offline
   * pool (the app itself opens on the embedded router policy, which keeps loading in the background).
   */
  async open(): Promise<void> {
    await this.openDefault();
    // Let the embedded default finish loading first: a model that lands while a turn is being typed
    // re-renders the setup (known issue: the composer draft can be lost then).
    await expect.poll(async () => {
      const s = (await this.state()) as { model?: { name?: string } | null; embedded?: { error?: string | null } };
      return (s.model?.name ?? null) !== null || (s.embedded?.error ?? null) !== null;
    }, { timeout: 60_000 }).toBe(true);
    await this.byId('mode.human').check();
  }

  /** Open the built app as a new user does: the embedded default router policy, the offline pool. */
  async openDefault(): Promise<void> {
    await this.page.goto('/?testApi=1');
    await expect(this.page.getByTestId('picker.item.0')).toBeVisible();
  }

  /** Open the app and replay the project's example to its end (cursor at the start). */
  async openExample(): Promise<void> {
    await this.open();
    await this.page.getByTestId('mode.replay').check();
    await this.page.getByTestId('replay.example').click();
    await expect(this.question).toBeVisible();
    await expect.poll(() => this.state().then((s) => s.phase)).toBe('finished');
  }

  byId(testId: string): Locator {
    return this.page.getByTestId(testId);
  }

  /** Edit pool model `index` to call `providerId` at `baseUrl` with `modelId`. */
  async pointModelAt(index: number, providerId: string, baseUrl: string, modelId: string): Promise<void> {
    await this.byId(`pool.model.${index}.provider`).selectOption(providerId);
    await this.byId(`pool.model.${index}.modelId`).fill(modelId);
    await this.byId(`pool.provider.${providerId}.baseUrl`).fill(baseUrl);
  }

  /** Write and submit one turn in the composer; `via` 'keys' submits with Ctrl+Enter. */
  async routeTurn(think: string, model: string, query: string, via: 'click' | 'keys' = 'click'): Promise<void> {
    await expect(this.byId('composer')).toBeVisible();
    await this.byId('composer.action.route').check();
    await this.byId('composer.think').fill(think);
    await this.byId('composer.model').selectOption(model);
    await this.byId('composer.query').fill(query);
    if (via === 'keys') await this.byId('composer.query').press('Control+Enter');
    else await this.byId('composer.submit').click();
  }

  async answerTurn(think: string, answer: string): Promise<void> {
    await expect(this.byId('composer')).toBeVisible();
    await this.byId('composer.action.answer').check();
    await this.byId('composer.think').fill(think);
    await this.byId('composer.answer').fill(answer);
    await this.byId('composer.submit').click();
  }

  round(index: number): Locator {
    return this.page.getByTestId(`timeline.round.${index}`);
  }

  roundPart(index: number, part: RoundPart): Locator {
    return this.page.getByTestId(`timeline.round.${index}.${part}`);
  }

  reward(field: 'format' | 'answer' | 'em' | 'f1' | 'costReward' | 'alpha' | 'total' | 'metric'): Locator {
    return this.page.getByTestId(`reward.${field}`);
  }

  metric(field: 'costUnits' | 'costUsd' | 'routes' | 'calls' | 'turns'): Locator {
    return this.page.getByTestId(`reward.metrics.${field}`);
  }

  async press(key: 'ArrowRight' | 'ArrowLeft' | 'j' | 'k' | 'Home' | 'End'): Promise<void> {
    await this.page.keyboard.press(key);
  }

  /** Click a Share button and read the link from its field. */
  async shareLink(kind: 'trajectory' | 'config'): Promise<string> {
    await this.byId(`share.${kind}`).click();
    await expect(this.byId('share.url')).toHaveValue(/#s=v1\./);
    return this.byId('share.url').inputValue();
  }

  /** Open a share link with the test API on (the flag goes in the query; the state stays in the fragment). */
  async openLink(url: string): Promise<void> {
    const [base, fragment] = url.split('#');
    // A fresh load: on the same page, a fragment-only change is a hash change (which asks before replacing work).
    await this.page.goto('about:blank');
    await this.page.goto(`${base}?testApi=1#${fragment ?? ''}`);
  }

  /** The reference texts (agent prompt, presets) are loaded: episodes use the real candidate prompt. */
  async waitForReferenceData(): Promise<void> {
    await expect(this.byId('pool.preset').locator('option[value="paper"]')).toBeEnabled();
  }

  /** Play "you are the router" on an offline bank question: route to `models` in turn, then answer gold. */
  async playRouter(search: string, models: readonly string[]): Promise<void> {
    await this.byId('mode.human').check();
    await this.byId('picker.search').fill(search);
    await this.byId('picker.item.0').click();
    await this.byId('episode.start').click();
    for (const [i, model] of models.entries()) {
      await this.routeTurn(`Round ${i + 1}: ask ${model}.`, model, `${search} (asked of ${model})`);
      await expect(this.roundPart(i, 'reply.text')).not.toBeEmpty();
    }
    const gold = (await this.trajectory()).question.goldAnswers[0] ?? '';
    await this.answerTurn('The replies agree.', gold);
    await expect.poll(() => this.state().then((s) => s.phase)).toBe('finished');
  }

  state(): Promise<AppSnapshot> {
    return this.page.evaluate(() => {
      if (window.__routerTestApi === undefined) throw new Error('No test API: open the app with ?testApi=1');
      return window.__routerTestApi.getState();
    });
  }

  trajectory(): Promise<Trajectory> {
    return this.page.evaluate(() => {
      const t = window.__routerTestApi?.getTrajectory();
      if (t == null) throw new Error('No trajectory loaded');
      return t;
    });
  }
}
