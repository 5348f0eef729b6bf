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

  /** Open the built app with its test API enabled, and wait until the example is loaded. */
  async open(): Promise<void> {
    await this.page.goto('/?testApi=1');
    await expect(this.question).toBeVisible();
    await expect.poll(() => this.state().then((s) => s.loadStatus)).toBe('ready');
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
