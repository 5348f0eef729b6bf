/**
 * Keeps the live end of the timeline in view while an episode runs: each time `key` changes (streamed
 * tokens, a new round) the anchor is scrolled into view — unless the user scrolled the page since the run
 * began; then the page stays where they put it until the next run. Scrolls this hook makes itself do not
 * count as the user's. Must not: scroll when nothing runs (replay and stepping stay where the user is).
 */
import { useEffect, useRef, type RefObject } from 'react';

/** A scroll event this soon after our own scrollIntoView is ours (it lands on the next frame or two). */
const OWN_SCROLL_MS = 250;

/**
 * Whether the user scrolled away during the live run: the other auto-scrolls (a round card following the
 * current step) ask this too, so nothing moves the page under the user — including the last steps revealed
 * as the run ends. Cleared when the next run starts, and shortly after a run ends (manual stepping scrolls again).
 */
let scrolledAway = false;
export const hasScrolledAway = (): boolean => scrolledAway;

export function useFollowLive(anchor: RefObject<HTMLElement | null>, key: unknown, active: boolean): void {
  const ownScrollAt = useRef(-Infinity);

  // A new run follows again; the user's wheel, touch, drag or keyboard scrolling stops it for this run.
  useEffect(() => {
    if (!active) return;
    scrolledAway = false;
    const byUser = (): void => {
      scrolledAway = true;
    };
    const onScroll = (): void => {
      if (performance.now() - ownScrollAt.current > OWN_SCROLL_MS) byUser();
    };
    window.addEventListener('wheel', byUser, { passive: true });
    window.addEventListener('touchmove', byUser, { passive: true });
    window.addEventListener('scroll', onScroll, { passive: true });
    return () => {
      window.removeEventListener('wheel', byUser);
      window.removeEventListener('touchmove', byUser);
      window.removeEventListener('scroll', onScroll);
      // after the effects of the run's last render (which must not scroll either)
      setTimeout(() => (scrolledAway = false), OWN_SCROLL_MS);
    };
  }, [active]);

  useEffect(() => {
    if (!active || scrolledAway) return;
    const el = anchor.current;
    if (el === null || typeof el.scrollIntoView !== 'function') return;
    ownScrollAt.current = performance.now();
    el.scrollIntoView({ block: 'end', inline: 'nearest' });
  }, [anchor, key, active]);
}
