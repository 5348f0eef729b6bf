/**
 * Exhaustiveness check for discriminated-union switches (STYLE principle 4): a new variant does not
 * compile until every switch handles it. At run time it only fires on data that bypassed the types.
 */
export class UnhandledVariantError extends Error {
  override name = 'UnhandledVariantError';
}

export function assertNever(value: never, what = 'value'): never {
  const tag = typeof value === 'object' && value !== null && 'type' in value ? String((value as { type: unknown }).type) : String(value);
  throw new UnhandledVariantError(`Unhandled ${what} "${tag}": add a case for it in the switch.`);
}
