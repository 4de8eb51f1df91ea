import { buildHtmlReport, jsonForScript } from '../../../lib/report/html';
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
    expect(html.match(/<script(?![^>]*type="application\/json")/g)).toHaveLength(1);
  });
});
