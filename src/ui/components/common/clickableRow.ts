/**
 * Props that make a table row reachable from the keyboard: focusable (Tab), opened by a click, Enter or
 * Space, with a tooltip saying what it opens. The row keeps its table semantics (no role change), so
 * its cells are read as cells. For rows whose whole line opens something (a trajectory).
 */
import type { KeyboardEvent } from 'react';

export function clickableRowProps(open: () => void, title: string) {
  return {
    className: 'clickable',
    tabIndex: 0,
    title,
    onClick: open,
    onKeyDown: (e: KeyboardEvent) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      e.preventDefault();
      open();
    },
  } as const;
}
