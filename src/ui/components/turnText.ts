/**
 * The text of a human turn, in the protocol's own tags (DESIGN.md §2.2), and warnings about what the
 * environment or the format reward would do with it. Pure; tested without React.
 */
export type TurnAction = 'route' | 'answer' | 'raw';

export interface TurnDraft {
  action: TurnAction;
  think: string;
  model: string;
  query: string;
  answer: string;
  raw: string;
}

export function buildTurnText(d: TurnDraft): string {
  if (d.action === 'raw') return d.raw;
  const think = `<think>${d.think.trim()}</think>\n`;
  return d.action === 'route' ? `${think}<search>${d.model}: ${d.query.trim()}</search>` : `${think}<answer>${d.answer.trim()}</answer>`;
}

/** Problems to point out before submitting (the turn is still sent as written if the user insists). */
export function turnWarnings(d: TurnDraft, routingEnabled: boolean): string[] {
  const out: string[] = [];
  if (d.action === 'raw') return out;
  if (d.think.trim() === '' || d.think.trim() === '...') out.push('An empty thought costs the format reward (−1).');
  if (d.action === 'route') {
    if (!routingEnabled) out.push('Routing is disabled on the final turn: this route gets no call. Answer instead.');
    if (d.query.trim() === '') out.push('The sub-query is empty: nothing will be called.');
    if (d.query.includes(':')) out.push('A colon in the sub-query cuts it there (only the text up to the next colon is sent) and costs the format reward.');
    if (d.model !== '' && d.query.toLowerCase().includes(d.model.toLowerCase())) out.push('The model name inside the query costs the format reward.');
  }
  if (d.action === 'answer' && d.answer.trim() === '') out.push('The answer is empty.');
  return out;
}
