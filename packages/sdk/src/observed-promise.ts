/**
 * A promise that knows whether anyone is listening. `then`, `catch`, `finally`, `await`,
 * `Promise.all` and friends all go through `then`, so calling any of them marks it observed.
 *
 * The SDK uses it for the promises `emitEvent` returns: they are marked handled at birth, so a
 * fire-and-forget call never produces an unhandled rejection, and a rejection that nobody observed is
 * reported to the client's `onError` hook instead of vanishing.
 */
export class ObservedPromise<T> extends Promise<T> {
  // Derived promises (from then/catch/finally) are plain promises, not ObservedPromises.
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  #observed = false;

  /** True once a caller has attached a handler (directly or through `await`). */
  get observed(): boolean {
    return this.#observed;
  }

  override then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    this.#observed = true;
    return super.then(onfulfilled, onrejected);
  }
}

export interface Deferred<T> {
  promise: ObservedPromise<T>;
  resolve(value: T): void;
  /** Rejects. If no caller observes the promise by the next macrotask, the rejection is reported. */
  reject(error: unknown): void;
}

/**
 * Creates an {@link ObservedPromise} with its settle functions. A rejection nobody observes by the end
 * of the current macrotask goes to `onUnobservedRejection`.
 *
 * @example
 * const d = createDeferred<number>((e) => console.warn('lost', e));
 * d.reject(new Error('x')); // logged: nobody awaited d.promise
 */
export function createDeferred<T>(onUnobservedRejection: (error: unknown) => void): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new ObservedPromise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Mark handled without marking observed: Node never reports this promise as an unhandled rejection.
  void Promise.prototype.then.call(promise, undefined, () => undefined);
  return {
    promise,
    resolve,
    reject(error) {
      reject(error);
      if (promise.observed) return;
      // Give a caller that attaches a handler later in this same turn the chance to do so.
      setImmediate(() => {
        if (!promise.observed) onUnobservedRejection(error);
      });
    },
  };
}
