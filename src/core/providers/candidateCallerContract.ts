/**
 * The contract every CandidateCaller passes (STYLE.md §11: one suite, every implementation). Test-only:
 * imported by *.test.ts files, never by app code. Run it with a fixture factory per implementation.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CandidateCallError, type CandidateCallRequest, type CandidateCaller } from '../policy/ports';
import type { CallErrorKind } from '../env/trajectory';
import { createAbortController } from './abortControl';

// Test-only module compiled with core's lib: the host timer is declared here rather than widening core's globals.
declare function setTimeout(fn: () => void, ms: number): unknown;

export interface CallerContractFixture {
  caller: CandidateCaller;
  /** A request that succeeds. */
  ok: CandidateCallRequest;
  /** A request that fails with a CandidateCallError of `kind`. */
  failing: { req: CandidateCallRequest; kind: CallErrorKind };
  /** A request answered slowly enough to abort it in flight (omit when the caller answers at once). */
  slow?: CandidateCallRequest;
  dispose?(): Promise<void> | void;
}

const isCount = (n: number): boolean => Number.isInteger(n) && n >= 0;

export function describeCandidateCallerContract(name: string, makeFixture: () => Promise<CallerContractFixture> | CallerContractFixture): void {
  describe(`CandidateCaller contract: ${name}`, () => {
    let fixture: CallerContractFixture | undefined;
    const setup = async (): Promise<CallerContractFixture> => (fixture = await makeFixture());
    afterEach(async () => {
      await fixture?.dispose?.();
      fixture = undefined;
    });

    it('replies with plain data: text, token counts, a latency', async () => {
      const f = await setup();
      const r = await f.caller.call(f.ok, {});
      expect(typeof r.reply).toBe('string');
      expect(r.reply.length).toBeGreaterThan(0);
      expect(isCount(r.usage.promptTokens) && isCount(r.usage.completionTokens)).toBe(true);
      expect(Number.isFinite(r.latencyMs) && r.latencyMs >= 0).toBe(true);
      expect(r.cached === undefined || typeof r.cached === 'boolean').toBe(true);
      expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    });

    it('gives the same reply to the same request', async () => {
      const f = await setup();
      const a = await f.caller.call(f.ok, {});
      const b = await f.caller.call(f.ok, {});
      expect(b.reply).toBe(a.reply);
      expect(b.usage).toEqual(a.usage);
    });

    it('fails with a typed CandidateCallError that records as plain data', async () => {
      const f = await setup();
      const err = await f.caller.call(f.failing.req, {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CandidateCallError);
      const e = err as CandidateCallError;
      expect(e.kind).toBe(f.failing.kind);
      expect(e.message.length).toBeGreaterThan(0);
      expect(JSON.parse(JSON.stringify(e.toCallError()))).toEqual({ kind: f.failing.kind, message: e.message });
    });

    it('rejects an already aborted call with the abort, not a call error', async () => {
      const f = await setup();
      const ac = createAbortController();
      ac.abort();
      const err = await f.caller.call(f.ok, { signal: ac.signal }).catch((e: unknown) => e);
      expect(err).not.toBeInstanceOf(CandidateCallError);
      expect(err).toBeDefined();
    });

    it('stops a call in flight when its signal aborts', async () => {
      const f = await setup();
      if (f.slow === undefined) return; // answers at once: nothing in flight to abort
      const ac = createAbortController();
      const reason = new Error('stopped by the test');
      const pending = f.caller.call(f.slow, { signal: ac.signal });
      setTimeout(() => ac.abort(reason), 20);
      await expect(pending).rejects.toBe(reason);
    });
  });
}
