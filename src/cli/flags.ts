/**
 * The CLI's argument parsing: positionals, and flags as `--k v` or `--k=v` (a flag without a value is an
 * error; boolean flags are rewritten to `--k=true` by their command before this runs). Its own module so
 * tests can use it without running the CLI (main.ts runs on import).
 */
export function parseFlags(argv: readonly string[]): { positional: string[]; flags: Map<string, string> } {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
      else {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith('--')) throw new Error(`${a} needs a value`);
        flags.set(a.slice(2), next);
        i++;
      }
    } else positional.push(a);
  }
  return { positional, flags };
}
