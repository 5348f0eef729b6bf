/**
 * The layer rules of STYLE.md ("Dependency rules"), checked on the sources as text: every relative import
 * must follow the layer table, and core must stay pure (no Math.random, Date.now, performance, global
 * fetch; no react, zustand, onnxruntime or Node imports). Parsed with the TypeScript scanner so comments
 * and strings never count. This test is the source of truth for the layers; tsc only enforces core's lib.
 */
import { builtinModules } from 'node:module';
import { posix } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

type Layer = 'core' | 'adapters' | 'worker' | 'ui' | 'cli' | 'testing' | 'root';

export interface Violation {
  file: string;
  line: number;
  rule: string;
}

const NODE_BUILTINS = new Set(builtinModules);
const isTest = (file: string): boolean => /\.test\.tsx?$/.test(file);
/** Tests and the shared test support in src/testing (harnesses, fixtures): never part of the app or the CLI. */
const isTestSupport = (file: string): boolean => isTest(file) || file.startsWith('testing/');

function layerOf(file: string): Layer {
  const top = file.split('/')[0] ?? '';
  return top === 'core' || top === 'adapters' || top === 'worker' || top === 'ui' || top === 'cli' || top === 'testing' ? top : 'root';
}

/** 'core/index.ts' → 'core', 'worker/protocol.ts' → 'worker/protocol'; null when it leaves src. */
function resolveTarget(fromFile: string, specifier: string): string | null {
  const joined = posix.normalize(posix.join(posix.dirname(fromFile), specifier.split('?')[0] ?? ''));
  if (joined === '..' || joined.startsWith('../')) return null;
  return joined.replace(/\.(d\.ts|tsx?|jsx?|mjs)$/, '').replace(/\/index$/, '').replace(/^index$/, '.');
}

const under = (target: string, dir: string): boolean => target === dir || target.startsWith(dir + '/');

/** Why `file` may not import `target` (a resolved path under src), or null when allowed. */
function relativeImportRule(file: string, target: string): string | null {
  const to = layerOf(target);
  // Fakes, fixtures and harnesses: only tests use them, so they stay out of the app bundle and the CLI.
  if (to === 'testing') return isTestSupport(file) ? null : 'src/testing is imported only by tests';
  const rules: Record<Layer, () => string | null> = {
    core: () => (to === 'core' ? null : 'core imports only core'),
    adapters: () => (to === 'core' || to === 'adapters' ? null : 'adapters import only core and adapters'),
    worker: () =>
      to === 'core' || to === 'worker' || (to === 'adapters' && !under(target, 'adapters/node')) ? null : 'worker imports core, worker and adapters except adapters/node',
    ui: () => {
      if (to === 'ui') return null;
      if (to === 'core') return target === 'core' ? null : 'ui imports core only through core/index.ts';
      if (to === 'worker') return target === 'worker/protocol' || target === 'worker/engineClient' ? null : 'ui imports only worker/protocol.ts and worker/engineClient.ts';
      return `ui may not import ${to}`;
    },
    testing: () => null,
    cli: () => (to === 'core' || to === 'cli' || (to === 'adapters' && !under(target, 'adapters/ort')) ? null : 'cli imports core, cli and adapters except adapters/ort'),
    root: () => (to === 'cli' || under(target, 'adapters/node') ? 'the composition root imports only browser layers' : null),
  };
  return rules[layerOf(file)]();
}

/** Rules for package (bare) imports: core stays pure; onnxruntime stays inside its adapters. */
function packageImportRule(file: string, specifier: string): string | null {
  const layer = layerOf(file);
  const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] ?? '');
  if (layer === 'core') {
    if (['react', 'react-dom', 'zustand'].includes(name) || name.startsWith('onnxruntime')) return `core may not import ${name}`;
    // Core tests may read fixture files with node:fs; core code may not touch Node.
    if (!isTest(file) && (specifier.startsWith('node:') || NODE_BUILTINS.has(name))) return `core may not import Node (${specifier})`;
  }
  if (!isTestSupport(file) && name === 'onnxruntime-web' && !file.startsWith('adapters/ort/')) return 'onnxruntime-web is imported only in adapters/ort';
  if (!isTestSupport(file) && name === 'onnxruntime-node' && !file.startsWith('adapters/node/')) return 'onnxruntime-node is imported only in adapters/node';
  return null;
}

function stringArg(node: ts.Node | undefined): string | null {
  return node !== undefined && ts.isStringLiteralLike(node) ? node.text : null;
}

/** Every module specifier in a file: import/export from, import(), import('x').T, new URL('x', import.meta.url). */
function collectSpecifiers(sf: ts.SourceFile): { specifier: string; node: ts.Node }[] {
  const out: { specifier: string; node: ts.Node }[] = [];
  const visit = (node: ts.Node): void => {
    let spec: string | null = null;
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) spec = stringArg(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) spec = stringArg(node.moduleReference.expression);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) spec = stringArg(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) spec = stringArg(node.argument.literal);
    else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'URL') {
      const base = node.arguments?.[1];
      if (base !== undefined && base.getText(sf) === 'import.meta.url') spec = stringArg(node.arguments?.[0]);
    }
    if (spec !== null) out.push({ specifier: spec, node });
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

const GLOBAL_HOSTS = new Set(['globalThis', 'window', 'self']);

/** Banned nondeterminism and I/O in core: Math.random, Date.now, performance.*, a global fetch. */
function collectBannedGlobals(sf: ts.SourceFile): { rule: string; node: ts.Node }[] {
  const out: { rule: string; node: ts.Node }[] = [];
  let localFetch = false; // an injected `fetch` (parameter, variable, import) is the allowed way
  const findBindings = (node: ts.Node): void => {
    const named = ts.isParameter(node) || ts.isVariableDeclaration(node) || ts.isBindingElement(node) || ts.isImportSpecifier(node) || ts.isFunctionDeclaration(node);
    if (named && node.name !== undefined && ts.isIdentifier(node.name) && node.name.text === 'fetch') localFetch = true;
    ts.forEachChild(node, findBindings);
  };
  findBindings(sf);
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node)) {
      const host = ts.isIdentifier(node.expression) ? node.expression.text : null;
      const name = node.name.text;
      if (host === 'Math' && name === 'random') out.push({ rule: 'Math.random is banned in core (take an Rng)', node });
      if (host === 'Date' && name === 'now') out.push({ rule: 'Date.now is banned in core (take a now() clock)', node });
      if (host === 'performance' || (host !== null && GLOBAL_HOSTS.has(host) && name === 'performance')) out.push({ rule: 'performance is banned in core (take a now() clock)', node });
      if (host !== null && GLOBAL_HOSTS.has(host) && name === 'fetch') out.push({ rule: 'the global fetch is banned in core (take fetch as a parameter)', node });
    }
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'fetch' && !localFetch) {
      out.push({ rule: 'the global fetch is banned in core (take fetch as a parameter)', node });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The UI's global fetch (`fetch(…)`, `window.fetch(…)`): src/ui gets its loaders injected from main.tsx. */
function collectUiGlobalFetch(sf: ts.SourceFile): ts.Node[] {
  const out: ts.Node[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const bare = ts.isIdentifier(callee) && callee.text === 'fetch';
      const onHost = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && GLOBAL_HOSTS.has(callee.expression.text) && callee.name.text === 'fetch';
      if (bare || onHost) out.push(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Check sources keyed by path relative to src ('ui/components/App.tsx'). */
export function checkSources(sources: Record<string, string>): Violation[] {
  const violations: Violation[] = [];
  for (const [file, text] of Object.entries(sources)) {
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
    const add = (node: ts.Node, rule: string): void => {
      violations.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, rule });
    };
    for (const { specifier, node } of collectSpecifiers(sf)) {
      if (specifier.startsWith('.')) {
        const target = resolveTarget(file, specifier);
        const rule = target === null ? (isTestSupport(file) ? null : 'imports from outside src') : relativeImportRule(file, target);
        if (rule !== null) add(node, `${rule}: '${specifier}'`);
      } else {
        const rule = packageImportRule(file, specifier);
        if (rule !== null) add(node, `${rule}: '${specifier}'`);
      }
    }
    if (layerOf(file) === 'core' && !isTest(file)) for (const { rule, node } of collectBannedGlobals(sf)) add(node, rule);
    if (layerOf(file) === 'ui' && !isTest(file)) for (const node of collectUiGlobalFetch(sf)) add(node, 'the global fetch is banned in ui (inject a loader from main.tsx)');
  }
  return violations.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

export const formatViolation = (v: Violation): string => `src/${v.file}:${v.line}  ${v.rule}`;

// --- Import cycles ------------------------------------------------------------------------------
// Any cycle among src files fails, runtime or type-only (a type-only cycle still ties two modules into one
// unit of change). A worker URL (`new URL('./x.worker.ts', import.meta.url)`) is a separate realm, not an edge.

/** One edge of the import graph: `from` imports `to`; `typeOnly` when it brings in types alone. */
interface ImportEdge {
  to: string;
  typeOnly: boolean;
  names: string[] | null;
}

/**
 * The one allowed cycle, zustand's slice idiom: a slice (ui/store/xSlice.ts) imports exactly the AppState
 * type from ui/store/appStore.ts, which composes the slices. Anything else a slice takes from appStore is a cycle.
 */
function isSliceIdiom(from: string, edge: ImportEdge): boolean {
  return /^ui\/store\/[A-Za-z]+Slice\.ts$/.test(from) && edge.to === 'ui/store/appStore.ts' && edge.typeOnly && edge.names?.length === 1 && edge.names[0] === 'AppState';
}

/** What a declaration imports by name, and whether only types: `import type {A}`, `import {type A}`, `export type {A} from`. */
function edgeKind(node: ts.Node): { typeOnly: boolean; names: string[] | null } {
  if (ts.isImportDeclaration(node)) {
    const clause = node.importClause;
    if (clause === undefined) return { typeOnly: false, names: null }; // a side-effect import
    const named = clause.namedBindings !== undefined && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
    const names = clause.name === undefined && named !== undefined ? named.map((e) => (e.propertyName ?? e.name).text) : null;
    return { typeOnly: clause.isTypeOnly || (clause.name === undefined && named !== undefined && named.length > 0 && named.every((e) => e.isTypeOnly)), names };
  }
  if (ts.isExportDeclaration(node)) return { typeOnly: node.isTypeOnly, names: null };
  return { typeOnly: ts.isImportTypeNode(node), names: null };
}

/** The file a resolved target names: 'core' → 'core/index.ts', 'run/x' → 'run/x.ts' or '.tsx'; null outside `files`. */
function fileOf(target: string, files: ReadonlySet<string>): string | null {
  for (const f of [target, `${target}.ts`, `${target}.tsx`, `${target}/index.ts`, `${target}/index.tsx`]) if (files.has(f)) return f;
  return null;
}

function importGraph(sources: Record<string, string>): Map<string, ImportEdge[]> {
  const files = new Set(Object.keys(sources));
  const graph = new Map<string, ImportEdge[]>();
  for (const [file, text] of Object.entries(sources)) {
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
    const edges: ImportEdge[] = [];
    for (const { specifier, node } of collectSpecifiers(sf)) {
      if (!specifier.startsWith('.') || ts.isNewExpression(node)) continue;
      const target = resolveTarget(file, specifier);
      const to = target === null ? null : fileOf(target === '.' ? 'index' : target, files);
      if (to !== null) edges.push({ to, ...edgeKind(node) });
    }
    graph.set(file, edges.filter((e) => !isSliceIdiom(file, e)));
  }
  return graph;
}

/** Strongly connected components (Tarjan), each sorted; only those that hold a cycle. */
function cyclicComponents(graph: Map<string, ImportEdge[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) as number);
    stack.push(v);
    onStack.add(v);
    for (const { to } of graph.get(v) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(v, Math.min(low.get(v) as number, low.get(to) as number));
      } else if (onStack.has(to)) low.set(v, Math.min(low.get(v) as number, index.get(to) as number));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (let w = stack.pop(); w !== undefined; w = w === v ? undefined : stack.pop()) {
      onStack.delete(w);
      component.push(w);
    }
    const selfLoop = (graph.get(v) ?? []).some((e) => e.to === v);
    if (component.length > 1 || selfLoop) out.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out.sort((a, b) => (a[0] as string).localeCompare(b[0] as string));
}

/** The shortest chain from the component's first file back to itself (breadth-first, inside the component). */
function shortestCycle(graph: Map<string, ImportEdge[]>, component: string[]): string[] {
  const inside = new Set(component);
  const start = component[0] as string;
  const parent = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i] as string;
    for (const { to } of graph.get(v) ?? []) {
      if (to === start) {
        const chain = [start];
        for (let w: string | undefined = v; w !== undefined && w !== start; w = parent.get(w)) chain.splice(1, 0, w);
        return [...chain, start];
      }
      if (inside.has(to) && !parent.has(to)) {
        parent.set(to, v);
        queue.push(to);
      }
    }
  }
  throw new Error(`${start} is in a cycle but no chain leads back to it`);
}

/** Each cycle as its file chain ('src/a.ts → src/b.ts → src/a.ts'), one per strongly connected component (its other files listed). */
export function findImportCycles(sources: Record<string, string>): string[] {
  const graph = importGraph(sources);
  return cyclicComponents(graph).map((component) => {
    const chain = shortestCycle(graph, component);
    const rest = component.filter((f) => !chain.includes(f));
    return chain.map((f) => `src/${f}`).join(' → ') + (rest.length === 0 ? '' : `  (also tied in: ${rest.map((f) => `src/${f}`).join(', ')})`);
  });
}

describe('architecture (STYLE.md dependency rules)', () => {
  it('every source follows the layer table and core stays pure', () => {
    const raw = import.meta.glob<string>('./**/*.{ts,tsx}', { query: '?raw', import: 'default', eager: true });
    const sources = Object.fromEntries(Object.entries(raw).map(([path, text]) => [path.replace(/^\.\//, ''), text]));
    expect(Object.keys(sources)).toContain('core/index.ts');
    expect(checkSources(sources).map(formatViolation), 'Layer violations (STYLE.md "Dependency rules"): fix each import or call listed').toEqual([]);
  });

  it('has no import cycles, runtime or type-only (the zustand slice idiom aside)', () => {
    const raw = import.meta.glob<string>('./**/*.{ts,tsx}', { query: '?raw', import: 'default', eager: true });
    const sources = Object.fromEntries(Object.entries(raw).map(([path, text]) => [path.replace(/^\.\//, ''), text]));
    expect(findImportCycles(sources), 'Import cycles: move what both files need into a module of its own (or down a layer)').toEqual([]);
  });

  it('catches a planted cycle, and lets the slice idiom pass', () => {
    const found = findImportCycles({
      // a runtime cycle of three files, reported from its first file
      'core/run/a.ts': "import { b } from './b';\nexport const a = 1;",
      'core/run/b.ts': "import { c } from '../math/c';\nexport const b = 2;",
      'core/math/c.ts': "import { a } from '../run/a';\nexport const c = 3;",
      // a type-only cycle counts too, through core/index.ts
      'core/index.ts': "export * from './env/t';",
      'core/env/t.ts': "import type { X } from '../index';\nexport type T = X;",
      // the slice idiom: a slice takes exactly the AppState type from the store that composes it
      'ui/store/appStore.ts': "import { createFooSlice } from './fooSlice';\nimport { createBarSlice } from './barSlice';\nexport type AppState = object;",
      'ui/store/fooSlice.ts': "import type { AppState } from './appStore';\nexport const createFooSlice = (s: AppState) => s;",
      // … but not anything more: a value, or another type, is a cycle
      'ui/store/barSlice.ts': "import { type AppState, createAppStore } from './appStore';\nexport const createBarSlice = (s: AppState) => createAppStore;",
      // a worker URL is not an import
      'main.tsx': "const w = new URL('./worker/w.worker.ts', import.meta.url);",
      'worker/w.worker.ts': "import { m } from '../main';",
    });
    expect(found).toEqual([
      'src/core/env/t.ts → src/core/index.ts → src/core/env/t.ts',
      'src/core/math/c.ts → src/core/run/a.ts → src/core/run/b.ts → src/core/math/c.ts',
      'src/ui/store/appStore.ts → src/ui/store/barSlice.ts → src/ui/store/appStore.ts',
    ]);
  });

  it('catches synthetic violations, and only those', () => {
    const found = checkSources({
      'core/bad.ts': [
        "import { x } from '../adapters/http/fetchPort';",
        "import { useState } from 'react';",
        "import { readFileSync } from 'node:fs';",
        'export const r = Math.random() + Date.now() + performance.now();',
        "export const p = fetch('https://example.com');",
      ].join('\n'),
      'core/good.ts': [
        '// Math.random() and Date.now() in a comment do not count, nor do strings:',
        "export const s = 'fetch(url) Date.now()';",
        "import { y } from './math/rng';",
        'export async function get(deps: { fetch: (u: string) => Promise<unknown> }) { return deps.fetch(s); }',
      ].join('\n'),
      'core/injected.ts': 'export function run(fetch: (u: string) => Promise<unknown>) { return fetch("/x"); }',
      'core/golden.test.ts': "import { readFileSync } from 'node:fs';",
      'ui/components/Bad.tsx': [
        "import type { Trajectory } from '../../core/env/trajectory';",
        "import { run } from '../../adapters/ort/session';",
        "import { host } from '../../worker/engineHost';",
        "const w = new URL('../../worker/engine.worker.ts', import.meta.url);",
      ].join('\n'),
      'ui/components/Good.tsx': "import { scoreCompletion } from '../../core';\nimport type { Methods } from '../../worker/protocol';\nimport { x } from '../../core/index';",
      'ui/session/fetches.ts': "export const a = fetch('/models/embedded.json');\nexport const b = window.fetch('/x');\nexport const c = (deps: { fetchJson: (u: string) => Promise<unknown> }) => deps.fetchJson('/y');",
      'ui/session/fetches.test.ts': "export const t = fetch('/in-a-test');",
      'worker/engineHost.ts': "import { n } from '../adapters/node/ortNode';\nimport { e } from '../core/run/runEpisode';",
      'cli/main.ts': "import { o } from '../adapters/ort/ortLanguageModel';\nimport { n } from '../adapters/node/ortNode';",
      'adapters/http/x.ts': "import ort from 'onnxruntime-web';\nimport { s } from '../../ui/store/appStore';",
      'main.tsx': "import { App } from './ui/components/App';\nimport { c } from './cli/main';",
      'cli/bench/x.ts': "import { f } from '../../testing/fakeLanguageModel';",
      'core/policy/y.test.ts': "import { f } from '../../testing/fakeLanguageModel';\nimport { r } from '../../testing/graphRunners';",
      'testing/graphRunners.ts': "import * as ort from 'onnxruntime-node';\nimport { w } from '../adapters/ort/webSession';",
      'worker/z.ts': "import { r } from '../testing/graphRunners';",
    }).map(formatViolation);
    expect(found).toEqual([
      "src/adapters/http/x.ts:1  onnxruntime-web is imported only in adapters/ort: 'onnxruntime-web'",
      "src/adapters/http/x.ts:2  adapters import only core and adapters: '../../ui/store/appStore'",
      "src/cli/bench/x.ts:1  src/testing is imported only by tests: '../../testing/fakeLanguageModel'",
      "src/cli/main.ts:1  cli imports core, cli and adapters except adapters/ort: '../adapters/ort/ortLanguageModel'",
      "src/core/bad.ts:1  core imports only core: '../adapters/http/fetchPort'",
      "src/core/bad.ts:2  core may not import react: 'react'",
      "src/core/bad.ts:3  core may not import Node (node:fs): 'node:fs'",
      'src/core/bad.ts:4  Math.random is banned in core (take an Rng)',
      'src/core/bad.ts:4  Date.now is banned in core (take a now() clock)',
      'src/core/bad.ts:4  performance is banned in core (take a now() clock)',
      'src/core/bad.ts:5  the global fetch is banned in core (take fetch as a parameter)',
      "src/main.tsx:2  the composition root imports only browser layers: './cli/main'",
      "src/ui/components/Bad.tsx:1  ui imports core only through core/index.ts: '../../core/env/trajectory'",
      "src/ui/components/Bad.tsx:2  ui may not import adapters: '../../adapters/ort/session'",
      "src/ui/components/Bad.tsx:3  ui imports only worker/protocol.ts and worker/engineClient.ts: '../../worker/engineHost'",
      "src/ui/components/Bad.tsx:4  ui imports only worker/protocol.ts and worker/engineClient.ts: '../../worker/engine.worker.ts'",
      'src/ui/session/fetches.ts:1  the global fetch is banned in ui (inject a loader from main.tsx)',
      'src/ui/session/fetches.ts:2  the global fetch is banned in ui (inject a loader from main.tsx)',
      "src/worker/engineHost.ts:1  worker imports core, worker and adapters except adapters/node: '../adapters/node/ortNode'",
      "src/worker/z.ts:1  src/testing is imported only by tests: '../testing/graphRunners'",
    ]);
  });
});
