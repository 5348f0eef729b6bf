/**
 * The rollout policy's model behind trainLoop's `syncWeights`: `sync` opens a model over new weights,
 * swaps it in and releases the old one, so rollouts that start afterwards (a policy reads `current()`
 * once, when it is created) use the new weights. One copy for the CLI (onnxruntime-node) and the browser
 * (onnxruntime-web); the host injects `open`. Must not: build or run models itself.
 */

export interface SwappableModel<W, M> {
  /** The model rollouts generate with now. */
  current(): M;
  /** Open a model over `weights` and swap it in; resolves once the new model is live and the old one released. */
  sync(weights: W): Promise<void>;
  /** Swaps so far. */
  readonly syncs: number;
  dispose(): Promise<void>;
}

export async function createSwappableModel<W, M extends { dispose(): Promise<void> }>(open: (weights: W) => Promise<M>, initial: W): Promise<SwappableModel<W, M>> {
  let model = await open(initial);
  let syncs = 0;
  return {
    current: () => model,
    async sync(weights) {
      const next = await open(weights);
      const old = model;
      model = next;
      syncs++;
      await old.dispose();
    },
    get syncs() {
      return syncs;
    },
    dispose: () => model.dispose(),
  };
}
