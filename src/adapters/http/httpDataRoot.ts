/**
 * The data root over HTTP (browser): `/data/` served by the dev and preview servers from the local
 * mirror, or the upstream URLs. The only place the data root touches fetch.
 */
import { DataRootError, type DataRoot } from '../../core/data/dataRoot';

export function createHttpDataRoot(baseUrl: string, fetchFn: typeof fetch = globalThis.fetch.bind(globalThis)): DataRoot {
  const base = baseUrl.endsWith('/') ? baseUrl : baseUrl + '/';
  return {
    location: base,
    async readText(path, opts) {
      let res: Response;
      try {
        res = await fetchFn(new URL(path, new URL(base, globalThis.location?.href)).href, { signal: opts?.signal ?? null });
      } catch (err) {
        throw new DataRootError(`Could not reach the data root ${base} (${String(err)}). Check the address or your connection.`, { cause: err });
      }
      if (!res.ok) throw new DataRootError(`The data root ${base} has no ${path} (HTTP ${res.status}). The dev and preview servers serve ../shared/data (or ROUTER_DATA_ROOT) at ./data/; or open the app with ?dataRoot=<URL of a copy>.`, { missing: res.status === 404 });
      return res.text();
    },
  };
}
