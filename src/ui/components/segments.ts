/**
 * Splits a policy's text — streamed and possibly cut mid-tag — into the protocol's segments for
 * colouring: think, route (<search>), information, answer, and plain text between them. An open tag
 * without its close yet runs to the end (the block being written). Pure; recomputed per frame.
 */
export type SegmentKind = 'think' | 'route' | 'information' | 'answer' | 'text';

export interface Segment {
  kind: SegmentKind;
  text: string;
}

const TAGS: readonly { tag: string; kind: SegmentKind }[] = [
  { tag: 'think', kind: 'think' },
  { tag: 'search', kind: 'route' },
  { tag: 'information', kind: 'information' },
  { tag: 'answer', kind: 'answer' },
];

export function segmentText(text: string): Segment[] {
  const out: Segment[] = [];
  const push = (kind: SegmentKind, t: string) => {
    if (t === '') return;
    const last = out[out.length - 1];
    if (last !== undefined && last.kind === kind) last.text += t;
    else out.push({ kind, text: t });
  };
  let at = 0;
  while (at < text.length) {
    // the earliest opening tag from here
    let next: { index: number; tag: string; kind: SegmentKind } | null = null;
    for (const t of TAGS) {
      const i = text.indexOf(`<${t.tag}>`, at);
      if (i >= 0 && (next === null || i < next.index)) next = { index: i, ...t };
    }
    if (next === null) {
      push('text', text.slice(at));
      break;
    }
    push('text', text.slice(at, next.index));
    const close = `</${next.tag}>`;
    const end = text.indexOf(close, next.index);
    const stop = end < 0 ? text.length : end + close.length;
    push(next.kind, text.slice(next.index, stop));
    at = stop;
  }
  return out;
}
