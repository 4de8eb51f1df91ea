import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { RuleLoadError } from '../rules/errors';
import type { RuleDocument, RuleSource } from '../rules/load';
import { S3ObjectLister } from './s3-object-lister';

/** Rule files are small; anything larger is not a rule file (and must not fill memory). */
const MAX_RULE_FILE_BYTES = 1024 * 1024;

/**
 * Users' rule files under an S3 prefix (RULES_S3_BUCKET, RULES_S3_PREFIX), read once per
 * cold start: every `*.yaml` / `*.yml` object below the prefix, sorted by key. Any failure
 * (missing bucket, access denied, an oversized file) stops loading with the object's name.
 */
export class S3RuleSource implements RuleSource {
  readonly name: string;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {
    this.name = `s3://${bucket}/${prefix}`;
  }

  async read(): Promise<RuleDocument[]> {
    const keys: string[] = [];
    try {
      for await (const object of new S3ObjectLister(this.client).list(this.bucket, this.prefix)) {
        if (!/\.ya?ml$/i.test(object.key)) continue;
        if ((object.size ?? 0) > MAX_RULE_FILE_BYTES) {
          throw new RuleLoadError('UnreadableRuleFile', `s3://${this.bucket}/${object.key}`, `larger than ${MAX_RULE_FILE_BYTES} bytes`);
        }
        keys.push(object.key);
      }
    } catch (err) {
      if (err instanceof RuleLoadError) throw err;
      throw new RuleLoadError('UnreadableRuleFile', this.name, `cannot list the rule prefix: ${describe(err)}`, { cause: err });
    }
    const documents: RuleDocument[] = [];
    for (const key of keys.sort()) {
      const file = `s3://${this.bucket}/${key}`;
      try {
        const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        documents.push({ file, text: (await out.Body?.transformToString('utf8')) ?? '' });
      } catch (err) {
        throw new RuleLoadError('UnreadableRuleFile', file, `cannot read the rule file: ${describe(err)}`, { cause: err });
      }
    }
    return documents;
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
