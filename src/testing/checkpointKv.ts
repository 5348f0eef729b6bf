/**
 * An in-memory fake of the IndexedDB checkpoint tables (adapters/storage/idbCheckpointStore.ts): it stores
 * structuredClone copies, as IndexedDB does, so a test cannot share arrays with what it stored.
 */
import type { CheckpointKv, StoredCheckpointMeta, StoredCheckpointTensors } from '../adapters/storage/idbCheckpointStore';

export function createInMemoryCheckpointKvFake(): CheckpointKv {
  const meta = new Map<string, StoredCheckpointMeta>();
  const tensors = new Map<string, StoredCheckpointTensors>();
  return {
    async put(m, t) {
      meta.set(m.id, structuredClone(m));
      tensors.set(m.id, structuredClone(t));
    },
    getMeta: async (id) => structuredClone(meta.get(id)),
    getTensors: async (id) => structuredClone(tensors.get(id)),
    listMeta: async () => [...meta.values()].map((m) => structuredClone(m)),
    async delete(id) {
      tensors.delete(id);
      return meta.delete(id);
    },
  };
}
