// The clock of the worker processes: real timers (an unref'd one when asked, as systemClock does), and
// wall-clock time the worker moves forward with `advance(ms)`, so that expiry comes without sleeping.
export function movableClock() {
  let offset = 0;
  const clock = {
    now: () => Date.now() + offset,
    monotonic: () => performance.now(),
    setTimeout: (fn, ms, options) => {
      const t = setTimeout(fn, ms);
      if (options?.unref) t.unref();
      return { clear: () => clearTimeout(t) };
    },
  };
  return { clock, advance: (ms) => (offset += ms) };
}
