import fc from 'fast-check';
import { ARRAY_ON_PATH, beginRecord, endRecords, fieldSlot, MISSING, slotLower, slotValue } from '../../../lib/rules/record-fields';

/**
 * The per-record slots the rules share: a path is read once per record while the engine
 * evaluates it, never remembered for another record, and read directly outside the engine.
 */
describe('record fields', () => {
  it('reads a dotted path through objects by own properties', () => {
    // Prepare
    const slot = fieldSlot('userIdentity.type');
    const inherited = Object.create({ userIdentity: { type: 'Root' } }) as unknown;

    // Act / Assess
    expect(slotValue({ userIdentity: { type: 'Root' } }, slot)).toBe('Root');
    expect(slotValue({ userIdentity: { type: null } }, slot)).toBeNull();
    expect(slotValue({ userIdentity: {} }, slot)).toBe(MISSING);
    expect(slotValue({ userIdentity: 'Root' }, slot)).toBe(MISSING);
    expect(slotValue({ userIdentity: { type: undefined } }, slot)).toBe(MISSING);
    expect(slotValue(inherited, slot)).toBe(MISSING);
    expect(slotValue({ userIdentity: [{ type: 'Root' }] }, slot)).toBe(ARRAY_ON_PATH);
    expect(slotValue([{ userIdentity: { type: 'Root' } }], slot)).toBe(ARRAY_ON_PATH);
    expect(slotValue({ userIdentity: { type: ['Root'] } }, slot)).toEqual(['Root']);
    expect(slotValue(null, slot)).toBe(MISSING);
  });

  it('gives one slot per path', () => {
    expect(fieldSlot('eventSource')).toBe(fieldSlot('eventSource'));
    expect(fieldSlot('eventSource')).not.toBe(fieldSlot('eventName'));
  });

  it('remembers a value for the record being evaluated, and only for it', () => {
    // Prepare: a record whose field is read through a getter, to count the reads
    const slot = fieldSlot('eventSource');
    let reads = 0;
    const record = {};
    Object.defineProperty(record, 'eventSource', {
      enumerable: true,
      get: () => {
        reads++;
        return 'iam.amazonaws.com';
      },
    });
    const other = { eventSource: 's3.amazonaws.com' };

    // Act
    beginRecord(record);
    const first = slotValue(record, slot);
    const second = slotValue(record, slot);
    const fromOther = slotValue(other, slot);
    const third = slotValue(record, slot);
    endRecords();
    const after = slotValue(record, slot);

    // Assess: read once while evaluated, another record read directly, then read afresh
    expect([first, second, fromOther, third, after]).toEqual(['iam.amazonaws.com', 'iam.amazonaws.com', 's3.amazonaws.com', 'iam.amazonaws.com', 'iam.amazonaws.com']);
    expect(reads).toBe(2);
  });

  it('forgets a value when the next record begins, even the same object changed in between', () => {
    // Prepare
    const slot = fieldSlot('eventName');
    const record: Record<string, unknown> = { eventName: 'StopLogging' };

    // Act
    beginRecord(record);
    const before = slotValue(record, slot);
    const lowerBefore = slotLower(record, slot, 'StopLogging');
    record.eventName = 'DeleteTrail';
    beginRecord(record);
    const afterChange = slotValue(record, slot);
    const lowerAfter = slotLower(record, slot, 'DeleteTrail');
    endRecords();

    // Assess
    expect([before, lowerBefore, afterChange, lowerAfter]).toEqual(['StopLogging', 'stoplogging', 'DeleteTrail', 'deletetrail']);
  });

  it('lower-cases a slot text once per record', () => {
    // Prepare
    const slot = fieldSlot('userAgent');
    const record = { userAgent: 'Boto3/1.0 KALI' };

    // Act
    beginRecord(record);
    const a = slotLower(record, slot, 'Boto3/1.0 KALI');
    const b = slotLower(record, slot, 'Boto3/1.0 KALI');
    endRecords();
    const outside = slotLower(record, slot, 'İ');

    // Assess
    expect([a, b]).toEqual(['boto3/1.0 kali', 'boto3/1.0 kali']);
    expect(outside).toBe('İ'.toLowerCase());
  });

  it('lower-cases as toLowerCase, record after record, whatever texts came before (the memo across records)', () => {
    // Prepare: texts of few lengths in several cases, non-ASCII ones whose lower case is longer
    // ('İ'), and enough distinct texts that the memo starts again (its capacity is 1,024)
    const slot = fieldSlot('requestParameters.roleSessionName');
    const word = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', 'A', 'b', 'B', 'İ', 'K', '\u212A', 'ǅ'), maxLength: 5 }),
      fc.nat(3000).map((n) => `Session-${n}`),
    );

    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 1500 }), (texts) => {
        // Act: one record per text, as the engine evaluates a file; each text a fresh string
        const lowers = texts.map((t) => {
          const text = JSON.parse(JSON.stringify(t)) as string;
          const record = { requestParameters: { roleSessionName: text } };
          beginRecord(record);
          return slotLower(record, slot, text);
        });
        endRecords();

        // Assess
        expect(lowers).toEqual(texts.map((t) => t.toLowerCase()));
      }),
      { numRuns: 60 },
    );
  });
});
