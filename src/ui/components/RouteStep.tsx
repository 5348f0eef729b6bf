/** The route sub-step: the model name as written, what it resolved to, and the sub-query as sent. */
import type { CallRecord, PoolModelRecord, PolicyAction } from '../../core';

export interface RouteStepProps {
  testId: string;
  className: string;
  action: Extract<PolicyAction, { type: 'route' }>;
  call: CallRecord | null;
  pool: readonly PoolModelRecord[];
  routingEnabled: boolean;
}

export function RouteStep({ testId, className, action, call, pool, routingEnabled }: RouteStepProps) {
  const model = call?.poolIndex == null ? undefined : pool[call.poolIndex];
  return (
    <div className={className} data-testid={`${testId}.route`}>
      <div className="step-label">Route</div>
      <dl className="kv">
        <dt>Model as written</dt>
        <dd>
          <code data-testid={`${testId}.route.name`}>{action.modelName}</code>
        </dd>
        <dt>Resolved to</dt>
        <dd data-testid={`${testId}.route.resolved`}>
          {!routingEnabled ? (
            <span className="muted">not called — routing is disabled on the final turn</span>
          ) : call === null || (call.reply === null && call.error === null) ? (
            <span className="muted" data-testid={`${testId}.route.pending`}>calling…</span>
          ) : model !== undefined ? (
            <>
              <strong>{model.name}</strong>{' '}
              <span className="muted">
                via {model.provider}
                {model.simulated === true && ' (simulated)'} · ${model.outputPer1M}/1M out
              </span>
            </>
          ) : (
            <span className="badge badge-error">unknown model</span>
          )}
        </dd>
        <dt>Sub-query</dt>
        <dd>
          <q className="query" data-testid={`${testId}.route.query`}>
            {action.query.trim()}
          </q>
        </dd>
      </dl>
    </div>
  );
}
