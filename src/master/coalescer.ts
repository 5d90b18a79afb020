/**
 * One catalog call in flight per key (the master keys claims and completions by worker): requests
 * that come while a call runs wait, and go together in the next call, in the order they came, up
 * to a limit of the call's size. Calls of one worker serialize in the catalog anyway (a claim
 * keeps the worker's row locked to its commit, for the MaxTaskCount check), so waiting here costs
 * nothing, and one call and one commit serve many requests: fifty slots polling in five loops
 * made five claims that each waited for the others' locks and commits; now they make one or two.
 *
 * A request whose client went away while it waited is dropped before the call and answered with
 * `whenGone`; one that goes away after is its caller's to deal with, as for a call of its own.
 */

/** Runs one call for a batch of requests; answers each request, in the batch's order. */
export type BatchCall<I, O> = (key: string, batch: readonly I[]) => Promise<O[]>;

interface Waiter<I, O> {
  readonly item: I;
  readonly signal: AbortSignal | undefined;
  resolve(answer: O): void;
  reject(error: unknown): void;
}

export interface CoalescerOptions<I, O> {
  readonly call: BatchCall<I, O>;
  /** The size of a request (tasks wanted, completions reported); a call holds at most maxSize. */
  readonly size: (item: I) => number;
  readonly maxSize: number;
  /** The answer to a request whose client went away before its call. */
  readonly whenGone: () => O;
}

export class Coalescer<I, O> {
  /** Per key with a call in flight: the requests waiting for it to end. */
  private readonly lanes = new Map<string, Waiter<I, O>[]>();

  constructor(private readonly options: CoalescerOptions<I, O>) {}

  submit(key: string, item: I, signal?: AbortSignal): Promise<O> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter<I, O> = { item, signal, resolve, reject };
      const waiting = this.lanes.get(key);
      if (waiting) {
        waiting.push(waiter);
        return;
      }
      this.lanes.set(key, []);
      this.run(key, [waiter]);
    });
  }

  /** Calls for `batch`, then for whoever waited meanwhile, until no one waits. */
  private run(key: string, batch: Waiter<I, O>[]): void {
    let call: Promise<O[]>;
    try {
      call = this.options.call(key, batch.map((w) => w.item));
    } catch (error) {
      call = Promise.reject(error);
    }
    call
      .then(
        (answers) => batch.forEach((w, i) => w.resolve(answers[i]!)),
        (error: unknown) => batch.forEach((w) => w.reject(error)),
      )
      .finally(() => {
        const following = this.takeBatch(this.lanes.get(key)!);
        if (following.length === 0) this.lanes.delete(key);
        else this.run(key, following);
      });
  }

  /** The waiting requests whose clients are still there, in arrival order, up to maxSize. */
  private takeBatch(waiting: Waiter<I, O>[]): Waiter<I, O>[] {
    const batch: Waiter<I, O>[] = [];
    let total = 0;
    while (waiting.length > 0) {
      const w = waiting[0]!;
      if (w.signal?.aborted) {
        waiting.shift();
        w.resolve(this.options.whenGone());
        continue;
      }
      const size = this.options.size(w.item);
      if (batch.length > 0 && total + size > this.options.maxSize) break;
      waiting.shift();
      batch.push(w);
      total += size;
    }
    return batch;
  }
}

/** Shares out a list answered for several requests in one: the first `sizes[0]` to the first request, and so on. */
export function shareOut<T>(list: readonly T[], sizes: readonly number[]): T[][] {
  let next = 0;
  return sizes.map((n) => {
    const part = list.slice(next, next + n);
    next += n;
    return part;
  });
}
