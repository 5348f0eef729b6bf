/**
 * The model cache: downloaded and converted model files grouped by folder with their sizes, Use (a whole
 * model folder, loaded from the cache alone), delete per folder, clear all, and the browser's storage quota. Files held only in memory (storage was full) are marked.
 */
import { useEffect } from 'react';
import { useController } from '../session/controllerContext';
import { useApp } from '../store/useApp';
import type { CachedModelFile } from '../../core';
import { formatBytes } from './formatBytes';

/** Files by model folder: the URL up to its onnx/ folder, or to its last slash. */
export function groupByFolder(files: readonly CachedModelFile[]): { folder: string; bytes: number; urls: string[]; persistent: boolean }[] {
  const groups = new Map<string, { folder: string; bytes: number; urls: string[]; persistent: boolean }>();
  for (const f of files) {
    const onnx = f.url.indexOf('/onnx/');
    const folder = onnx >= 0 ? f.url.slice(0, onnx + 1) : f.url.slice(0, f.url.lastIndexOf('/') + 1);
    const g = groups.get(folder) ?? { folder, bytes: 0, urls: [], persistent: true };
    g.bytes += f.bytes;
    g.urls.push(f.url);
    g.persistent &&= f.persistent;
    groups.set(folder, g);
  }
  return [...groups.values()].sort((a, b) => b.bytes - a.bytes);
}

/** A whole model folder (config.json and an ONNX file) that loads from the cache alone, e.g. a converted checkpoint. */
export function isModelFolder(g: { folder: string; urls: readonly string[] }): boolean {
  return g.urls.includes(`${g.folder}config.json`) && g.urls.some((u) => u.startsWith(`${g.folder}onnx/`) && u.endsWith('.onnx'));
}

export function CachePanel() {
  const controller = useController();
  const cache = useApp((s) => s.modelCache);
  useEffect(() => {
    void controller?.refreshCache();
  }, [controller]);
  const groups = groupByFolder(cache.files);

  return (
    <section className="panel cache-panel" aria-labelledby="cache-heading" data-testid="cache.panel">
      <h2 id="cache-heading" className="panel-title">Model cache</h2>
      <p className="small muted" data-testid="cache.quota">
        {cache.quota === null ? 'Storage quota: not reported by this browser' : `Storage: ${formatBytes(cache.quota.usageBytes)} used of ${formatBytes(cache.quota.quotaBytes)}`}
      </p>
      {cache.error !== null && <p className="error-text small">{cache.error}</p>}
      {groups.length === 0 ? (
        <p className="muted small" data-testid="cache.empty">No cached models.</p>
      ) : (
        <ul className="cache-list" data-testid="cache.list">
          {groups.map((g, i) => (
            <li key={g.folder} data-testid={`cache.item.${i}`}>
              <span className="cache-folder" title={g.folder}>{g.folder}</span>
              <span className="muted small" data-testid={`cache.item.${i}.size`}> {formatBytes(g.bytes)} · {g.urls.length} files{!g.persistent && ' · in memory only'}</span>
              {isModelFolder(g) && (
                <button type="button" onClick={() => void controller?.loadModelRef({ kind: 'cache', key: g.folder })} aria-label={`Use ${g.folder} as the policy`} data-testid={`cache.item.${i}.use`}>Use</button>
              )}
              <button type="button" onClick={() => void controller?.deleteCached(g.urls)} data-testid={`cache.item.${i}.delete`}>Delete</button>
            </li>
          ))}
        </ul>
      )}
      <div className="row-actions">
        <button type="button" onClick={() => void controller?.refreshCache()} data-testid="cache.refresh">Refresh</button>
        <button type="button" onClick={() => void controller?.clearCache()} disabled={groups.length === 0} data-testid="cache.clear">Clear all</button>
      </div>
    </section>
  );
}
