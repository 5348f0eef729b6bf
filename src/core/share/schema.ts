/**
 * A small declarative schema: one field table per record type drives encoding, decoding, defaults and
 * validation (STYLE.md principle 7, tensorflow/playground's `State.PROPS`). Share links and bundles are
 * both read through it, so a value that decodes has been checked field by field.
 *
 * Two wire modes:
 * - 'link': short keys, fields equal to their default are left out, and `derive`d fields are left out
 *   when recomputing them from earlier fields gives exactly the recorded value (checked at encode time).
 * - 'file': field names as in the TypeScript types, every field written (bundles are read by people).
 *
 * Decoding never trusts the input: unknown keys, wrong types, out-of-range numbers, over-long strings
 * and lists fail with a path ('trajectory.rounds[2].call.usage') and a reason. Values are built only
 * from the table's own names, never from input keys, so no input can reach a prototype. This module
 * must not know any record type: the tables live in shareFields.ts.
 *
 * With a TextBudget (links), every string is charged as it is decoded or recomputed, records with
 * `maxText` get their own budget inside it, and a string's `deriveLength` is checked before it is built.
 */
import { TextBudget } from './textBudget';

/** Enclosing records, outermost first (while decoding: the partly built ones, earlier fields set). */
export type Parents = readonly Record<string, unknown>[];

interface FieldBase {
  /** The short name in links (unique within its table). Bundles use the field's own name. */
  key: string;
  /** The property may be absent; an absent key decodes to an absent property. */
  optional?: boolean;
  /** The value may be null. */
  nullable?: boolean;
  /** Links omit the field when it deep-equals this; decoding fills it in. (Never together with derive.) */
  default?: unknown;
  /**
   * Recompute the value from earlier fields of the record and its parents. Links omit the field when
   * the recomputation is exact; decoding recomputes it. Must read only fields listed before this one.
   */
  derive?: (record: Record<string, unknown>, parents: Parents) => unknown;
  /** A cross-field check after decoding (not called for null; parents as for derive); returns what is wrong, or null. */
  check?: (value: unknown, parents: Parents) => string | null;
  /**
   * With derive on a string: the exact length the recomputation will have (same arguments as derive).
   * Checked against maxLength and the text budget before derive runs, for derivations that can expand
   * their inputs (a template rendered with a long value, a join of many texts).
   */
  deriveLength?: (record: Record<string, unknown>, parents: Parents) => number;
  /** On a record: the most text it may hold (every string in it, recomputed ones too) when decoded with a budget. */
  maxText?: number;
}

export type Field =
  | (FieldBase & { kind: 'int' | 'float'; min: number; max: number })
  | (FieldBase & { kind: 'bool' })
  /** `chars`: the allowed characters (ids), else any text up to maxLength UTF-16 units. */
  | (FieldBase & { kind: 'string'; maxLength: number; chars?: string })
  | (FieldBase & { kind: 'enum'; values: readonly (string | number)[] })
  | (FieldBase & { kind: 'list'; of: Field; maxItems: number })
  | (FieldBase & { kind: 'record'; fields: Table })
  /** A tagged union: `tag` is the property holding the variant name, `tagKey` its short name. */
  | (FieldBase & { kind: 'union'; tag: string; tagKey: string; variants: Readonly<Record<string, Table>> });

export type Table = Readonly<Record<string, Field>>;

/** A table with exactly one field per property of T (optional ones included): a new property does not compile without its field. */
export type TableOf<T> = { readonly [K in keyof Required<T>]-?: Field };

export type WireMode = 'link' | 'file';

/** Keys that must never appear in input: they reach prototypes in careless code. */
export const HOSTILE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** JSON.parse that also names a hostile key anywhere in the input (the last one seen); throws as JSON.parse does. */
export function parseJsonNotingHostileKeys(input: string): { data: unknown; hostile: string | null } {
  let hostile: string | null = null;
  const data: unknown = JSON.parse(input, (key: string, value: unknown) => {
    if (HOSTILE_KEYS.has(key)) hostile = key;
    return value;
  });
  return { data, hostile };
}

export class SchemaDecodeError extends Error {
  override name = 'SchemaDecodeError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path} ${reason}`);
  }
}

/** A value is well-formed but holds (or would recompute to) more text than its budget allows. */
export class SchemaSizeError extends SchemaDecodeError {
  override name = 'SchemaSizeError';
}

/** How a value is decoded: its wire mode, and the text budget it is charged to (none: unbounded but by maxLength). */
interface DecodeContext {
  mode: WireMode;
  budget: TextBudget | null;
}

// ── builders: keep tables one line per field ─────────────────────────────────────────────────────
type Extra = Omit<FieldBase, 'key'>;
export const int = (key: string, min: number, max: number, extra: Extra = {}): Field => ({ kind: 'int', key, min, max, ...extra });
export const float = (key: string, min: number, max: number, extra: Extra = {}): Field => ({ kind: 'float', key, min, max, ...extra });
export const bool = (key: string, extra: Extra = {}): Field => ({ kind: 'bool', key, ...extra });
export const text = (key: string, maxLength: number, extra: Extra & { chars?: string } = {}): Field => ({ kind: 'string', key, maxLength, ...extra });
export const oneOf = (key: string, values: readonly (string | number)[], extra: Extra = {}): Field => ({ kind: 'enum', key, values, ...extra });
export const list = (key: string, of: Field, maxItems: number, extra: Extra = {}): Field => ({ kind: 'list', key, of, maxItems, ...extra });
export const record = (key: string, fields: Table, extra: Extra = {}): Field => ({ kind: 'record', key, fields, ...extra });
export const union = (key: string, tag: string, tagKey: string, variants: Record<string, Table>, extra: Extra = {}): Field => ({ kind: 'union', key, tag, tagKey, variants, ...extra });

// ── helpers ──────────────────────────────────────────────────────────────────────────────────────
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Structural equality of JSON-like values (undefined properties count as absent). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(rb, k) && deepEqual(ra[k], rb[k]));
}

const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

const nameOf = (field: Field, name: string, mode: WireMode): string => (mode === 'link' ? field.key : name);

// ── encoding ─────────────────────────────────────────────────────────────────────────────────────
function isDerivedExactly(field: Field, value: unknown, rec: Record<string, unknown>, parents: Parents): boolean {
  if (field.derive === undefined) return false;
  try {
    return deepEqual(field.derive(rec, parents), value);
  } catch {
    return false; // not recomputable from this record: write it out
  }
}

function encodeValue(field: Field, value: unknown, parents: Parents, mode: WireMode): unknown {
  if (value === null) return null;
  switch (field.kind) {
    case 'int':
    case 'float':
      return Object.is(value, -0) ? 0 : value;
    case 'bool':
    case 'string':
    case 'enum':
      return value;
    case 'list':
      return (value as unknown[]).map((v) => encodeValue(field.of, v, parents, mode));
    case 'record':
      return encodeRecord(field.fields, value as Record<string, unknown>, parents, mode);
    case 'union': {
      const rec = value as Record<string, unknown>;
      const tag = String(rec[field.tag]);
      const table = field.variants[tag];
      if (table === undefined) throw new Error(`Cannot encode variant "${tag}": not in the schema.`);
      return { [mode === 'link' ? field.tagKey : field.tag]: tag, ...encodeRecord(table, rec, parents, mode) };
    }
  }
}

/** A record to its wire object. The input is a typed value: a missing required field is a bug. */
export function encodeRecord(table: Table, rec: Record<string, unknown>, parents: Parents, mode: WireMode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const inner = [...parents, rec];
  for (const [name, field] of Object.entries(table)) {
    const value = rec[name];
    if (value === undefined) {
      if (field.optional === true) continue;
      throw new Error(`Cannot encode: required field "${name}" is missing.`);
    }
    if (mode === 'link' && field.default !== undefined && deepEqual(value, field.default)) continue;
    if (mode === 'link' && isDerivedExactly(field, value, rec, parents)) continue;
    out[nameOf(field, name, mode)] = encodeValue(field, value, inner, mode);
  }
  return out;
}

// ── decoding ─────────────────────────────────────────────────────────────────────────────────────
function fail(path: string, reason: string): never {
  throw new SchemaDecodeError(path, reason);
}

function decodeNumber(field: Field & { kind: 'int' | 'float' }, raw: unknown, path: string): number {
  if (typeof raw !== 'number' || !Number.isFinite(raw)) fail(path, `must be a number (got ${typeof raw})`);
  if (field.kind === 'int' && !Number.isInteger(raw)) fail(path, `must be a whole number (got ${raw})`);
  if (raw < field.min || raw > field.max) fail(path, `must be between ${field.min} and ${field.max} (got ${raw})`);
  return raw;
}

function charge(budget: TextBudget | null, chars: number, path: string): void {
  const problem = budget === null ? null : budget.charge(chars);
  if (problem !== null) throw new SchemaSizeError(path, problem);
}

/** The budget a value of `field` is charged to: its own (inside the enclosing one) when it has maxText. */
function budgetFor(field: Field, budget: TextBudget | null, path: string): TextBudget | null {
  return budget !== null && field.maxText !== undefined ? budget.child(field.maxText, path) : budget;
}

/** Charge every string of a typed value (decoded, defaulted or recomputed) to the budget, by its field. */
export function chargeText(field: Field, value: unknown, path: string, budget: TextBudget | null): void {
  if (budget === null || value === null || value === undefined) return;
  const inner = budgetFor(field, budget, path);
  const chargeRecord = (table: Table, rec: Record<string, unknown>): void => {
    for (const [name, f] of Object.entries(table)) chargeText(f, rec[name], `${path}.${name}`, inner);
  };
  switch (field.kind) {
    case 'string':
      return charge(inner, (value as string).length, path);
    case 'list':
      return (value as unknown[]).forEach((v, i) => chargeText(field.of, v, `${path}[${i}]`, inner));
    case 'record':
      return chargeRecord(field.fields, value as Record<string, unknown>);
    case 'union': {
      const table = field.variants[String((value as Record<string, unknown>)[field.tag])];
      return table === undefined ? undefined : chargeRecord(table, value as Record<string, unknown>);
    }
    default:
      return;
  }
}

function decodeString(field: Field & { kind: 'string' }, raw: unknown, path: string, budget: TextBudget | null): string {
  if (typeof raw !== 'string') fail(path, `must be text (got ${Array.isArray(raw) ? 'a list' : typeof raw})`);
  if (raw.length > field.maxLength) fail(path, `is too long (${raw.length} characters; at most ${field.maxLength})`);
  const chars = field.chars;
  if (chars !== undefined && [...raw].some((c) => !chars.includes(c))) fail(path, 'has characters an id may not have');
  charge(budget, raw.length, path);
  return raw;
}

function decodeValue(field: Field, raw: unknown, path: string, parents: Parents, ctx: DecodeContext): unknown {
  if (raw === null) return field.nullable === true ? null : fail(path, 'must not be null');
  switch (field.kind) {
    case 'int':
    case 'float':
      return decodeNumber(field, raw, path);
    case 'bool':
      return typeof raw === 'boolean' ? raw : fail(path, `must be true or false (got ${typeof raw})`);
    case 'string':
      return decodeString(field, raw, path, ctx.budget);
    case 'enum':
      return field.values.includes(raw as string | number) ? raw : fail(path, `must be one of ${field.values.join(', ')}`);
    case 'list':
      if (!Array.isArray(raw)) fail(path, 'must be a list');
      if (raw.length > field.maxItems) fail(path, `has too many items (${raw.length}; at most ${field.maxItems})`);
      return raw.map((item, i) => decodeValue(field.of, item, `${path}[${i}]`, parents, ctx));
    case 'record':
      return decodeIn(field.fields, raw, path, parents, { ...ctx, budget: budgetFor(field, ctx.budget, path) });
    case 'union': {
      if (!isPlainObject(raw)) fail(path, 'must be an object');
      const tagName = ctx.mode === 'link' ? field.tagKey : field.tag;
      const tag = raw[tagName];
      const table = typeof tag === 'string' && Object.hasOwn(field.variants, tag) ? field.variants[tag] : undefined;
      if (table === undefined) fail(`${path}.${field.tag}`, `must be one of ${Object.keys(field.variants).join(', ')}`);
      return { [field.tag]: tag, ...decodeIn(table, raw, path, parents, ctx, tagName) };
    }
  }
}

/**
 * A wire object to a record, checked against the table; throws SchemaDecodeError with the path
 * (SchemaSizeError when `budget` is given and the text it holds, recomputed fields included, exceeds it).
 */
export function decodeRecord(table: Table, raw: unknown, path: string, parents: Parents, mode: WireMode, budget: TextBudget | null = null): Record<string, unknown> {
  return decodeIn(table, raw, path, parents, { mode, budget });
}

function decodeIn(table: Table, raw: unknown, path: string, parents: Parents, ctx: DecodeContext, extraKey?: string): Record<string, unknown> {
  const { mode } = ctx;
  if (!isPlainObject(raw)) fail(path, `must be an object (got ${raw === null ? 'null' : Array.isArray(raw) ? 'a list' : typeof raw})`);
  const known = new Set(Object.entries(table).map(([name, field]) => nameOf(field, name, mode)));
  for (const k of Object.keys(raw)) {
    if (HOSTILE_KEYS.has(k)) fail(`${path}.${k}`, 'is a forbidden key');
    if (!known.has(k) && k !== extraKey) fail(`${path}.${k}`, 'is not a known field');
  }
  const out: Record<string, unknown> = {};
  const inner = [...parents, out];
  for (const [name, field] of Object.entries(table)) {
    const key = nameOf(field, name, mode);
    const p = `${path}.${name}`;
    if (Object.hasOwn(raw, key)) out[name] = decodeValue(field, raw[key], p, inner, ctx);
    else if (field.default !== undefined) {
      out[name] = clone(field.default);
      chargeText(field, out[name], p, ctx.budget);
    } else if (field.derive !== undefined && mode === 'link') {
      const v = deriveOrFail(field, out, parents, p, ctx.budget);
      if (v !== undefined) out[name] = v;
    }
    else if (field.optional !== true) fail(p, 'is missing');
    const problem = out[name] == null || field.check === undefined ? null : field.check(out[name], parents);
    if (problem !== null) fail(p, problem);
  }
  return out;
}

/** Recompute a left-out field: its predicted length checked first, then the value checked and charged like a decoded one. */
function deriveOrFail(field: Field, rec: Record<string, unknown>, parents: Parents, path: string, budget: TextBudget | null): unknown {
  let v: unknown;
  try {
    if (field.kind === 'string' && field.deriveLength !== undefined) checkPredictedLength(field, field.deriveLength(rec, parents), path, budget);
    v = field.derive?.(rec, parents);
  } catch (err) {
    if (err instanceof SchemaDecodeError) throw err;
    fail(path, `is missing and cannot be recomputed (${err instanceof Error ? err.message : String(err)})`);
  }
  if (v === undefined && field.optional !== true) fail(path, 'is missing and cannot be recomputed');
  if (field.kind === 'string' && typeof v === 'string' && v.length > field.maxLength) throw new SchemaSizeError(path, `is too long when recomputed (${v.length} characters; at most ${field.maxLength})`);
  chargeText(field, v, path, budget);
  return v;
}

function checkPredictedLength(field: Field & { kind: 'string' }, length: number, path: string, budget: TextBudget | null): void {
  if (length > field.maxLength) throw new SchemaSizeError(path, `would be ${length} characters when recomputed; at most ${field.maxLength}`);
  const problem = budget === null ? null : budget.wouldExceed(length);
  if (problem !== null) throw new SchemaSizeError(path, `${problem} once recomputed`);
}

/** Every table reachable from `table` (itself included), for checks over the whole schema. */
export function allTables(table: Table, seen: Set<Table> = new Set()): Table[] {
  if (seen.has(table)) return [];
  seen.add(table);
  const nested = (f: Field): Table[] =>
    f.kind === 'record' ? allTables(f.fields, seen) : f.kind === 'list' ? nested(f.of) : f.kind === 'union' ? Object.values(f.variants).flatMap((t) => allTables(t, seen)) : [];
  return [table, ...Object.values(table).flatMap(nested)];
}
