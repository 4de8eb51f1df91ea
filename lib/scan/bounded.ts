/**
 * Maps items with at most `limit` calls in flight and yields the results in input order, so
 * output (and the in-memory anomaly baseline, fed file by file) does not depend on which
 * read finished first. Items may come from an async source (an S3 listing): it is pulled only
 * as fast as the pool frees up, so a long listing never sits in memory.
 */
export async function* mapBounded<T, R>(items: Iterable<T> | AsyncIterable<T>, limit: number, fn: (item: T) => Promise<R>): AsyncGenerator<R> {
  const width = Math.max(1, Math.floor(limit));
  const iterator = (Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : toAsync(items as Iterable<T>)) as AsyncIterator<T>;
  const queue: Promise<R>[] = [];
  let exhausted = false;
  const fill = async (): Promise<void> => {
    while (!exhausted && queue.length < width) {
      const next = await iterator.next();
      if (next.done) {
        exhausted = true;
        return;
      }
      const started = fn(next.value);
      // a rejection is delivered when its turn comes; never unhandled meanwhile
      started.catch(() => undefined);
      queue.push(started);
    }
  };
  await fill();
  while (queue.length > 0) {
    const head = queue.shift() as Promise<R>;
    const result = await head;
    await fill();
    yield result;
  }
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const item of items) yield item;
}
