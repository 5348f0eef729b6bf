/**
 * A budget on the text a decoded value may hold (UTF-16 units, every string counted, those written in
 * the input and those recomputed from it alike). Share links are small, but their recomputed fields
 * are not: one template with 2,500 `{query}` fields and one 199,000-character query render a
 * 497,500,000-character prompt. The schema charges every string against the budgets that enclose it
 * (the link's, and a round's) and checks a recomputed string's predicted length before building it,
 * so a hostile link is refused after a bounded amount of work.
 *
 * Must not: know any record type (the caps are set in shareFields.ts and shareLink.ts).
 */

export class TextBudget {
  private used = 0;

  constructor(
    /** At most this many characters. */
    readonly limit: number,
    /** What is bounded, for messages: 'state', 'state.trajectory.rounds[3]'. */
    readonly scope: string,
    readonly parent: TextBudget | null = null,
  ) {}

  /** A budget for a part of this one: what the part holds counts against both. */
  child(limit: number, scope: string): TextBudget {
    return new TextBudget(limit, scope, this);
  }

  /** The reason `chars` more would not fit here or in an enclosing budget, else null (nothing is charged). */
  wouldExceed(chars: number): string | null {
    for (let b: TextBudget | null = this; b !== null; b = b.parent) {
      if (b.used + chars > b.limit) return `would bring ${b.scope} to ${b.used + chars} characters of text; it may hold at most ${b.limit}`;
    }
    return null;
  }

  /** Charge `chars` to this budget and every enclosing one; returns the reason when one is exceeded. */
  charge(chars: number): string | null {
    const problem = this.wouldExceed(chars);
    if (problem !== null) return problem;
    for (let b: TextBudget | null = this; b !== null; b = b.parent) b.used += chars;
    return null;
  }
}

/**
 * The length of Python's `template.format_map({...})` (formatTemplate in protocol/prompt.ts) without
 * building it: `{{`/`}}` are one character, each `{field}` the length of its value. For a template
 * that formatTemplate refuses the result is only an estimate, and the render then fails on its own.
 */
export function formattedLength(template: string, fieldLength: (field: string) => number): number {
  let n = 0;
  for (let i = 0; i < template.length; i++) {
    const ch = template.charCodeAt(i);
    const next = template.charCodeAt(i + 1);
    if ((ch === 123 && next === 123) || (ch === 125 && next === 125)) {
      n++;
      i++;
    } else if (ch === 123) {
      const close = template.indexOf('}', i);
      if (close < 0) return n + template.length - i;
      const field = template.slice(i + 1, close);
      n += fieldLength(field.replace(/(![s])?:?$/, ''));
      i = close;
    } else {
      n++;
    }
  }
  return n;
}
