/**
 * Named parameter (or gradient, or optimizer moment) tensors: `Map<name, Float32Array>` in a fixed
 * insertion order. Plain data: a Map of typed arrays survives structuredClone / postMessage / IndexedDB.
 * The helpers here copy and compare layouts; they never allocate behind the caller's back except
 * `cloneParams`.
 */

export type ParamMap = Map<string, Float32Array>;

/** Two maps do not hold the same names and sizes (a checkpoint or gradient from another model). */
export class ParamLayoutError extends Error {
  override name = 'ParamLayoutError';
}

/** A deep copy (new arrays, same order). */
export function cloneParams(src: ReadonlyMap<string, Float32Array>): ParamMap {
  const out: ParamMap = new Map();
  for (const [name, t] of src) out.set(name, Float32Array.from(t));
  return out;
}

/** Copies every tensor of `src` into the live arrays of `dst` (names and sizes must match). */
export function copyParamsInto(dst: ReadonlyMap<string, Float32Array>, src: ReadonlyMap<string, Float32Array>): void {
  assertSameLayout(dst, src, 'copyParamsInto');
  for (const [name, t] of dst) t.set(src.get(name) as Float32Array);
}

/** Throws ParamLayoutError unless `b` has exactly `a`'s names, each with `a`'s size. */
export function assertSameLayout(a: ReadonlyMap<string, Float32Array>, b: ReadonlyMap<string, Float32Array>, what: string): void {
  if (a.size !== b.size) {
    throw new ParamLayoutError(`${what}: expected ${a.size} tensors, got ${b.size}. The tensors come from a different model or trainable set (full vs LoRA).`);
  }
  for (const [name, t] of a) {
    const u = b.get(name);
    if (u === undefined) throw new ParamLayoutError(`${what}: tensor "${name}" is missing. The tensors come from a different model or trainable set.`);
    if (u.length !== t.length) throw new ParamLayoutError(`${what}: tensor "${name}" has ${u.length} values, expected ${t.length}.`);
  }
}

/** The name of the first tensor holding NaN or ±Infinity, or undefined when all are finite. */
export function firstNonFinite(map: ReadonlyMap<string, Float32Array>): string | undefined {
  for (const [name, t] of map) {
    for (let i = 0; i < t.length; i++) if (!Number.isFinite(t[i] as number)) return name;
  }
  return undefined;
}

/** A zero-filled map with `like`'s names and sizes. */
export function zerosLike(like: ReadonlyMap<string, Float32Array>): ParamMap {
  const out: ParamMap = new Map();
  for (const [name, t] of like) out.set(name, new Float32Array(t.length));
  return out;
}

/** Σ over tensors of the element count. */
export function paramCount(map: ReadonlyMap<string, Float32Array>): number {
  let n = 0;
  for (const t of map.values()) n += t.length;
  return n;
}
