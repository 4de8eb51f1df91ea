import fc from 'fast-check';
import { UnrecognisedTriggerError } from '../../../lib/errors';
import { decodeS3NotificationKey, encodeS3NotificationKey } from '../../../lib/trigger';

describe('decodeS3NotificationKey', () => {
  it.each([
    ['red+flower.jpg', 'red flower.jpg'],
    ['a%2Bb', 'a+b'],
    ['AWSLogs/111122223333/CloudTrail/us-east-1/x.json.gz', 'AWSLogs/111122223333/CloudTrail/us-east-1/x.json.gz'],
    ['dir%2Fsub/file', 'dir/sub/file'],
    ['%E6%97%A5%E6%9C%AC', '日本'],
  ])('decodes %j as %j', (encoded, key) => {
    // Act
    const decoded = decodeS3NotificationKey(encoded);

    // Assess
    expect(decoded).toBe(key);
  });

  it('names the key and bucket when an escape is malformed', () => {
    // Act
    const act = () => decodeS3NotificationKey('logs/%G1', 'my-bucket');

    // Assess
    expect(act).toThrow(UnrecognisedTriggerError);
    expect(act).toThrow('S3 notification key "logs/%G1" in bucket "my-bucket"');
  });

  it('keeps the URIError as the cause', () => {
    // Act
    let caught: unknown;
    try {
      decodeS3NotificationKey('%');
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(UnrecognisedTriggerError);
    expect((caught as Error).cause).toBeInstanceOf(URIError);
  });
});

describe('encodeS3NotificationKey', () => {
  it('writes spaces as + and a literal + as %2B, keeping slashes', () => {
    // Act
    const encoded = encodeS3NotificationKey('my logs/c++ é.json.gz');

    // Assess
    expect(encoded).toBe('my+logs/c%2B%2B+%C3%A9.json.gz');
  });

  it('round-trips any well-formed key through decoding', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (key) => {
        // Act
        const decoded = decodeS3NotificationKey(encodeS3NotificationKey(key));

        // Assess
        expect(decoded).toBe(key);
      }),
    );
  });

  it('throws nothing but UnrecognisedTriggerError for any input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 100 }), (encoded) => {
        // Act
        let caught: unknown;
        try {
          decodeS3NotificationKey(encoded);
        } catch (error) {
          caught = error;
        }

        // Assess
        expect(caught === undefined || caught instanceof UnrecognisedTriggerError).toBe(true);
      }),
    );
  });
});
