/**
 * Providers of the pool's models: base URL, key (password field; in memory unless the user opts in to
 * remembering it, which says where it goes), Test connection (a tiny call through the engine, with CORS
 * failures explained), and the session spending cap.
 */
import { useEffect, useState } from 'react';
import { corsAdvice, OFFLINE_PROVIDER, type ProviderConfig } from '../../core';
import { useController } from '../session/controllerContext';
import { useApp } from '../store/useApp';

function ProviderRow({ provider }: { provider: ProviderConfig }) {
  const controller = useController();
  const hasKey = useApp((s) => s.hasKey[provider.id] === true);
  const conn = useApp((s) => s.connection[provider.id]);
  const updateProvider = useApp((s) => s.updateProvider);
  const id = `pool.provider.${provider.id}`;
  // The typed key lives in this field and the vault only; cleared when the vault forgets it.
  const [draft, setDraft] = useState('');
  useEffect(() => {
    if (!hasKey) setDraft('');
  }, [hasKey]);
  return (
    <li className="provider" data-testid={id}>
      {/* A form, so the browser treats the key as a password field; submitting does nothing. */}
      <form onSubmit={(e) => e.preventDefault()} className="provider-form">
      <div className="provider-head">
        <strong>{provider.label}</strong> <span className="muted small">{provider.kind === 'anthropic' ? 'Anthropic Messages' : 'OpenAI-compatible'}</span>
      </div>
      <label className="field">
        <span className="label">Base URL</span>
        <input value={provider.baseUrl} onChange={(e) => updateProvider(provider.id, { baseUrl: e.target.value.trim() })} data-testid={`${id}.baseUrl`} />
      </label>
      <label className="field">
        <span className="label">Key {provider.needsKey ? '' : '(optional for a local server)'}{hasKey && <span className="ok-text"> · set</span>}</span>
        <input
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={draft}
          onChange={(e) => {
            setDraft(e.target.value);
            controller?.setKey(provider.id, e.target.value);
          }}
          data-testid={`${id}.key`}
          placeholder={hasKey ? 'key set (remembered)' : provider.needsKey ? 'paste your key' : 'none needed'}
        />
      </label>
      <div className="row-actions">
        <button type="button" onClick={() => void controller?.testConnection(provider)} disabled={conn?.status === 'testing'} data-testid={`${id}.test`}>
          {conn?.status === 'testing' ? 'Testing…' : 'Test connection'}
        </button>
        {conn?.status === 'ok' && <span className="ok-text small" data-testid={`${id}.status`}>OK · {conn.message}</span>}
        {conn?.status === 'failed' && (
          <span className="error-text small" role="alert" data-testid={`${id}.status`}>
            {conn.kind}: {conn.message}
            {conn.kind === 'cors' && !conn.message.includes('Fix') && <> {corsAdvice(provider)}</>}
          </span>
        )}
      </div>
      </form>
    </li>
  );
}

/** Timeout per call and deadline per round (whole seconds ≥ 1), used from the next call on. */
function CallLimitFields() {
  const timeoutS = useApp((s) => s.callTimeoutS);
  const deadlineS = useApp((s) => s.roundDeadlineS);
  const setLimits = useApp((s) => s.setCallLimits);
  const seconds = (v: string, fallback: number): number => (Number.isFinite(Number(v)) && Number(v) >= 1 ? Math.round(Number(v)) : fallback);
  return (
    <div className="row-actions">
      <label className="field" title="How long one attempt at a provider may take before it is retried">
        <span className="label">Timeout per call (s)</span>
        <input type="number" min={1} step={1} value={timeoutS} onChange={(e) => setLimits({ callTimeoutS: seconds(e.target.value, timeoutS) })} data-testid="pool.callTimeout" />
      </label>
      <label className="field" title="How long a round waits for a provider in all, retries included; then the round records a timeout and the episode goes on">
        <span className="label">Deadline per round (s)</span>
        <input type="number" min={1} step={1} value={deadlineS} onChange={(e) => setLimits({ roundDeadlineS: seconds(e.target.value, deadlineS) })} data-testid="pool.roundDeadline" />
      </label>
    </div>
  );
}

export function ProviderSettings() {
  const controller = useController();
  const models = useApp((s) => s.models);
  const providers = useApp((s) => s.providers);
  const remember = useApp((s) => s.rememberKeys);
  const anyKey = useApp((s) => Object.keys(s.hasKey).length > 0);
  const cap = useApp((s) => s.spendingCapUsd);
  const setCap = useApp((s) => s.setSpendingCap);
  const used = new Set(models.map((m) => m.provider).filter((p) => p !== OFFLINE_PROVIDER));
  const shown = providers.filter((p) => used.has(p.id));

  return (
    <div className="providers" data-testid="pool.providers">
      <h3 className="panel-subtitle">Providers and keys</h3>
      {shown.length === 0 ? (
        <p className="muted small">The offline pool needs no provider and no key.</p>
      ) : (
        <ul className="provider-list">
          {shown.map((p) => <ProviderRow key={p.id} provider={p} />)}
        </ul>
      )}
      <label className="check">
        <input type="checkbox" checked={remember} onChange={(e) => controller?.setRememberKeys(e.target.checked)} data-testid="pool.rememberKeys" />
        Remember keys in this browser <span className="muted small">(stored unencrypted in {controller?.keyStorageLabel() ?? 'localStorage'}; off: keys live in memory until you close the tab)</span>
      </label>
      <button type="button" onClick={() => controller?.forgetKeys()} disabled={!anyKey && !remember} data-testid="pool.forgetKeys">
        Forget keys
      </button>
      <label className="field">
        <span className="label">Session spending cap (USD, real providers)</span>
        <input type="number" min={0} step="any" value={cap ?? ''} placeholder="no cap" onChange={(e) => setCap(e.target.value === '' ? null : Math.max(0, Number(e.target.value)))} data-testid="pool.spendingCap" />
      </label>
      <CallLimitFields />
    </div>
  );
}
