import type { EventRow } from '../../../lib/report/events';
import { buildHtmlReport, jsonForScript, recordsForScript } from '../../../lib/report/html';
import { ScanSummary } from '../../../lib/scan/summary';

describe('HTML report embedding (issue 14)', () => {
  it('escapes what could end the data element or break the script parser', () => {
    // Prepare
    const hostile = { s: '</script><script>alert(1)</script>\u2028\u2029&' };

    // Act
    const text = jsonForScript(hostile);

    // Assess
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(hostile);
  });

  it('sets a Content-Security-Policy that allows no network and only its own nonce-d script and style', () => {
    // Prepare
    const data = { files: ['f.json'], findings: [], events: [], eventsCap: 10, eventsDropped: 0, summary: new ScanSummary(), generatedAt: '2026-12-04T00:00:00Z' };

    // Act
    const html = buildHtmlReport(data);

    // Assess
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(csp).toMatch(/^default-src 'none'; script-src 'nonce-[A-Za-z0-9+/=]+'; style-src 'nonce-/);
    expect(csp).not.toMatch(/unsafe-inline|https?:|\*/);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(html).toContain(`<script nonce="${nonce}">`);
    // data blocks (JSON, the gzipped records) are never run; exactly one script is
    expect(html.match(/<script(?![^>]*type="application\/(?:json|octet-stream)")/g)).toHaveLength(1);
  });

  const row = (n: number, record?: unknown): EventRow => ({
    time: `2026-11-24T09:00:0${n}Z`, name: 'GetObject', source: 's3.amazonaws.com', principal: 'arn:aws:iam::111122223333:user/alice', ip: '198.51.100.7',
    errorCode: '', readOnly: true, resources: '', account: '111122223333', region: 'us-east-1', id: `id-${n}`, file: 0,
    ...(record === undefined ? {} : { record: JSON.stringify(record, null, 2) }),
  });

  it('embeds the event table columnar with each repeated string once, and the records apart from the data parsed at open', () => {
    // Prepare: 50 events sharing name, source, principal, account, Region, IP
    const events = Array.from({ length: 50 }, (_, n) => row(n % 10, { eventID: `id-${n}`, requestParameters: { bucketName: 'evidence-bucket-marker' } }));
    const data = { files: ['f.json'], findings: [], events, eventsCap: 100, eventsDropped: 0, summary: new ScanSummary(), generatedAt: '2026-12-04T00:00:00Z' };

    // Act
    const html = buildHtmlReport(data);

    // Assess
    const json = /<script type="application\/json" id="trailwatch-data">([^<]*)<\/script>/.exec(html)?.[1] ?? '';
    const parsed = JSON.parse(json) as { events: { count: number; strings: string[] } };
    expect(parsed.events.count).toBe(50);
    expect(parsed.events.strings.filter((x) => x === 'arn:aws:iam::111122223333:user/alice')).toHaveLength(1);
    expect(json.split('arn:aws:iam::111122223333:user/alice')).toHaveLength(2);
    expect(json).not.toContain('evidence-bucket-marker');
    expect(html).toContain('id="trailwatch-records"');
  });

  it('keeps one record per line that parses back to the record, hostile text included, none able to end the element', () => {
    // Prepare
    const hostile = { eventName: '</script><script>alert(1)</script>', userAgent: 'a\u2028b\u2029c&<!--', nested: { lines: 'x\ny' } };
    const events = [row(1, hostile), row(2), row(3, { eventID: 'plain' })];

    // Act
    const text = recordsForScript(events);

    // Assess
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([hostile, null, { eventID: 'plain' }]);
  });
});
