/** A policy's text coloured by protocol segment (think, route, information, answer). */
import { useMemo } from 'react';
import { segmentText } from './segments';

export function SegmentedText({ text, testId }: { text: string; testId: string }) {
  const segments = useMemo(() => segmentText(text), [text]);
  return (
    <pre className="segmented-text" data-testid={testId}>
      {segments.map((s, i) => (
        <span key={i} className={`seg-${s.kind}`} data-segment={s.kind}>
          {s.text}
        </span>
      ))}
    </pre>
  );
}
