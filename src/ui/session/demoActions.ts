/**
 * The demo gallery for the app controller: read public/demos/gallery.json (a static file, fetched on
 * first load; no model is downloaded for it) and open an entry as a shared trajectory link opens —
 * in replay, ready to step through. A missing or malformed file leaves a short note; nothing else changes.
 */
import { parseDemoGallery, type Trajectory } from '../../core';
import type { AppStore } from '../store/appStore';

export interface DemoActionsDeps {
  store: AppStore;
  /** Reads the gallery file's text (main.tsx binds the page's fetch); absent: no gallery. */
  readGallery?: () => Promise<string>;
  /** Shows a recorded trajectory in replay (shareActions.openRecordedTrajectory). */
  openTrajectory: (t: Trajectory, opened: string) => void;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function createDemoActions(deps: DemoActionsDeps) {
  const s = deps.store.getState;
  return {
    async loadDemoGallery(): Promise<void> {
      if (deps.readGallery === undefined) return;
      s().setDemoGallery({ status: 'loading' });
      let text: string;
      try {
        text = await deps.readGallery();
      } catch (err) {
        return s().setDemoGallery({ status: 'failed', error: message(err) });
      }
      const r = parseDemoGallery(text);
      s().setDemoGallery(r.ok ? { status: 'ready', gallery: r.gallery } : { status: 'failed', error: r.error.message });
    },

    /** Open a gallery entry (an α comparison also shows its second run beside the timeline). */
    openDemo(id: string): void {
      const g = s().demoGallery;
      const entry = g.status === 'ready' ? g.gallery.entries.find((e) => e.id === id) : undefined;
      if (entry === undefined) return;
      deps.openTrajectory(entry.trajectory, `the demo gallery (“${entry.title}”)`);
      const { compare } = entry;
      s().setDemoComparison(compare === undefined ? null : { entryId: entry.id, left: { variant: entry.variant, alpha: entry.alpha, trajectory: entry.trajectory }, right: compare });
    },
  };
}
