/**
 * Where the policy runs: the execution provider in use, the adapter, `shader-f16`, wasm threads, the
 * estimated memory (weights + KV cache from the file sizes), how "auto" chose (a software adapter is
 * never taken; otherwise the faster backend, measured), a warning when an explicit WebGPU choice runs on
 * a software adapter, and — when WebGPU was refused or missing — why, with the device preference for the
 * next load.
 */
import { useEffect } from 'react';
import { softwareAdapterEvidence, type PreferredDevice } from '../../core';
import { useController } from '../session/controllerContext';
import { useApp } from '../store/useApp';
import { formatBytes } from './formatBytes';

const yesNo = (v: boolean | null): string => (v === null ? '—' : v ? 'yes' : 'no');

export function DevicePanel() {
  const controller = useController();
  const info = useApp((s) => s.modelInfo);
  const probe = useApp((s) => s.deviceInfo);
  const preferred = useApp((s) => s.preferredDevice);
  const setPreferred = useApp((s) => s.setPreferredDevice);
  useEffect(() => {
    void controller?.probeDevice();
  }, [controller]);
  const device = info?.device ?? null;
  const adapter = device?.adapterInfo ?? probe?.webgpu.adapterInfo ?? null;
  const fallback = device?.fallbackReason ?? null;
  const unavailable = device === null && probe !== null && !probe.webgpu.available ? probe.webgpu.reason : null;
  // Before a model is loaded: say now that auto will not use this adapter.
  const probedSoftware = device === null && probe?.webgpu.adapterInfo != null ? softwareAdapterEvidence(probe.webgpu.adapterInfo) : null;
  const slowGpu = device?.ep === 'webgpu' ? (device.softwareAdapter ?? null) : null;

  return (
    <div className="device-panel" data-testid="device.panel">
      <label className="field-inline">
        Device
        <select value={preferred} onChange={(e) => setPreferred(e.target.value as PreferredDevice)} data-testid="device.prefer">
          <option value="auto">auto (the faster; never a software GPU)</option>
          <option value="webgpu">prefer WebGPU</option>
          <option value="wasm">wasm (CPU)</option>
        </select>
      </label>
      <dl className="kv small">
        <dt>In use</dt>
        <dd data-testid="device.ep">{device === null ? 'no model loaded' : device.ep}</dd>
        <dt>Adapter</dt>
        <dd data-testid="device.adapter">{adapter === null ? '—' : [adapter.vendor, adapter.architecture, adapter.description].filter((x) => x !== '').join(' · ') || 'unnamed adapter'}</dd>
        {device?.auto !== undefined && (
          <>
            <dt>Chosen by</dt>
            <dd data-testid="device.choice">{device.auto.reason}</dd>
          </>
        )}
        <dt>shader-f16</dt>
        <dd data-testid="device.shaderF16">{yesNo(device?.shaderF16 ?? probe?.webgpu.shaderF16 ?? null)}</dd>
        <dt>Threads</dt>
        <dd data-testid="device.threads">{device?.threads ?? '—'}{probe !== null && !probe.crossOriginIsolated && ' (not cross-origin isolated: 1 wasm thread)'}</dd>
        {device?.q4Layers !== undefined && (
          <>
            <dt>4-bit layers</dt>
            <dd data-testid="device.q4">{device.q4Layers}</dd>
          </>
        )}
        <dt>Memory (est.)</dt>
        <dd data-testid="device.memory">{info === null ? '—' : `${formatBytes(info.estimatedMemoryBytes)} (weights ${formatBytes(info.files.reduce((n, f) => n + f.bytes, 0))}${(device?.q4ExpandedBytes ?? 0) > 0 ? ` + ${formatBytes(device?.q4ExpandedBytes ?? 0)} expanded` : ''} + KV cache)`}</dd>
        {info !== null && info.files.length > 1 && (
          <>
            <dt>Weight files</dt>
            <dd data-testid="device.files">{info.files.map((f, i) => `${f.path.slice(f.path.lastIndexOf('/') + 1)} (${formatBytes(f.bytes)}${i > 0 ? ', external data' : ''})`).join(' + ')}</dd>
          </>
        )}
      </dl>
      {fallback !== null && (
        <p className="warn-text small" role="status" data-testid="device.fallback">
          WebGPU unavailable: {fallback}, using {device?.ep}
        </p>
      )}
      {slowGpu !== null && (
        <p className="warn-text small" role="status" data-testid="device.software">
          WebGPU here is a software adapter ({slowGpu}): it runs on the CPU, usually far slower than wasm. Choose auto or wasm for speed.
        </p>
      )}
      {probedSoftware !== null && (
        <p className="muted small" data-testid="device.probe">
          WebGPU here is a software adapter ({probedSoftware}); auto runs models on wasm.
        </p>
      )}
      {unavailable !== null && (
        <p className="muted small" data-testid="device.probe">
          WebGPU unavailable here: {unavailable}; models will run on wasm.
        </p>
      )}
    </div>
  );
}
