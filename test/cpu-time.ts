/**
 * The CPU time this process spent in `fn`, in milliseconds, with its result. Unlike the wall
 * clock, it does not grow when other processes take the machine's cores (a loaded CI box,
 * a benchmark beside the tests), so a bound on it checks how much work the code did, not
 * how busy the machine was: "linear, not catastrophic" stays a property of the code.
 */
export function cpuTime<T>(fn: () => T): { result: T; ms: number } {
  const before = process.cpuUsage();
  const result = fn();
  const used = process.cpuUsage(before);
  return { result, ms: (used.user + used.system) / 1000 };
}
