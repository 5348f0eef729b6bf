/** Exhaustiveness for protocol switches: a new message or method does not compile until handled. */
export function assertNeverMessage(value: never): never {
  throw new Error(`Unhandled worker message ${JSON.stringify(value)}: add a case for it on both sides.`);
}
