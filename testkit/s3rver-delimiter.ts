import type S3rver from 's3rver';

/**
 * s3rver 3.7.1's filesystem store prunes every directory below a would-be common prefix
 * before it has seen a key there, so ListObjectsV2 with `Delimiter=/` answers no
 * CommonPrefixes for keys two or more levels below the prefix (all of CloudTrail's layout:
 * `AWSLogs/` → `<account>/` → `CloudTrail/…`). S3 answers them; `scan s3://…` walks the
 * layout with them. This wraps the store's listing once per server: a delimiter listing is
 * answered from s3rver's own full listing, folded at the delimiter as S3 does.
 */
interface StoredObject {
  readonly key: string;
}
interface ListResult {
  objects: StoredObject[];
  commonPrefixes: string[];
  isTruncated: boolean;
}
interface Store {
  listObjects(bucket: string, options: { delimiter?: string; prefix?: string; maxKeys?: number; startAfter?: string }): Promise<ListResult>;
}

export function foldDelimiterListings(server: S3rver): void {
  const store = (server as unknown as { store: Store }).store;
  const original = store.listObjects.bind(store);
  store.listObjects = async (bucket, options) => {
    const delimiter = options.delimiter;
    if (!delimiter) return original(bucket, options);
    const all = await original(bucket, { ...options, delimiter: '', maxKeys: Infinity });
    const prefix = options.prefix ?? '';
    const common = new Set<string>();
    const objects: StoredObject[] = [];
    for (const object of all.objects) {
      const at = object.key.slice(prefix.length).indexOf(delimiter);
      if (at === -1) objects.push(object);
      else common.add(object.key.slice(0, prefix.length + at + delimiter.length));
    }
    const max = options.maxKeys ?? 1000;
    return { objects: objects.slice(0, max), commonPrefixes: [...common].sort(), isTruncated: objects.length > max };
  };
}
