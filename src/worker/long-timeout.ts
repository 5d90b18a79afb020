/**
 * setTimeout for any delay. Node's timers hold at most 2^31-1 ms (24.8 days) and treat a longer
 * delay as 1 ms — a package with timeout_seconds of 2,147,484 or more would be stopped at once.
 * Longer delays are chained.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LongTimeout {
  clear(): void;
}

export function setLongTimeout(fn: () => void, ms: number): LongTimeout {
  const due = Date.now() + ms;
  let timer: NodeJS.Timeout;
  const arm = () => {
    const left = due - Date.now();
    timer = left > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(fn, Math.max(0, left));
  };
  arm();
  return { clear: () => clearTimeout(timer) };
}
