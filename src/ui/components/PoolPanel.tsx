/** The candidate pool recorded with the trajectory: names the policy can write, providers, prices. */
import { useApp } from '../store/useApp';

export function PoolPanel() {
  const pool = useApp((s) => s.trajectory?.pool ?? null);
  if (pool === null) return null;
  return (
    <section className="panel pool" aria-labelledby="pool-heading">
      <h2 id="pool-heading" className="panel-title">
        Candidate pool
      </h2>
      <table className="pool-table" data-testid="pool">
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col">Provider</th>
            <th scope="col" className="num" title="USD per 1M tokens, input / output">
              $/1M in · out
            </th>
          </tr>
        </thead>
        <tbody>
          {pool.map((m, i) => (
            <tr key={i} data-testid={`pool.model.${i}`}>
              <td>{m.name}</td>
              <td>
                {m.provider}
                {m.simulated === true && <span className="muted"> · simulated</span>}
              </td>
              <td className="num">
                {m.inputPer1M} · {m.outputPer1M}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
