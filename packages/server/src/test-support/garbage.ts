import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Runs V8's full garbage collection (exposed for the tests that need it), between two turns of the
 * event loop: a WeakRef's target survives the turn it was made or read in. Resolves with how many of
 * `refs` still point at their object.
 *
 * @example
 * expect(await survivingAfterGc(refs)).toBe(0);
 */
export async function survivingAfterGc(refs: readonly WeakRef<object>[]): Promise<number> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  return refs.filter((ref) => ref.deref() !== undefined).length;
}
