/**
 * The report page's style and script, inlined by html.ts under a CSP nonce. Plain browser
 * JavaScript (no build step, no library). Rules it keeps: every value from the data is set
 * with textContent or as an attribute value of an element it created (never innerHTML, never
 * an href), and the table renders only the rows in view (fixed row height), so 100,000
 * events filter and scroll without building 100,000 rows.
 */
export const REPORT_CSS = `
*{box-sizing:border-box}body{font:13px/1.4 system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{background:#1d2430;color:#fff;padding:10px 16px}h1{font-size:16px;margin:0}h2{font-size:14px;margin:16px 0 6px}
main{padding:0 16px 16px}.tiles{display:flex;flex-wrap:wrap;gap:8px;margin-top:12px}.tile{background:#fff;border:1px solid #d6dae1;border-radius:4px;padding:8px 12px;min-width:120px}
.tile b{display:block;font-size:18px}.charts{display:flex;flex-wrap:wrap;gap:12px}.card{background:#fff;border:1px solid #d6dae1;border-radius:4px;padding:8px}
.filters{display:flex;flex-wrap:wrap;gap:6px;align-items:end}.filters label{display:flex;flex-direction:column;font-size:11px;color:#555}.filters input,.filters select{font:12px monospace;padding:3px;width:150px}
#table{height:420px;overflow-y:auto;position:relative;background:#fff;border:1px solid #d6dae1;margin-top:6px}#spacer{position:relative}
.row{position:absolute;left:0;right:0;height:24px;display:flex;border-bottom:1px solid #eef0f3;white-space:nowrap;font:12px monospace}
.row span{overflow:hidden;text-overflow:ellipsis;padding:3px 4px}.row.finding{background:#fff4e5}.row.head{position:sticky;top:0;background:#e9ecf1;font-weight:bold;z-index:1}
.c0{width:28px}.c1{width:170px}.c2{width:170px}.c3{width:190px}.c4{width:300px}.c5{width:120px}.c6{width:150px}.c7{width:60px}.c8{width:110px}
button{font:12px system-ui;padding:4px 8px}#compare table{border-collapse:collapse;font:12px monospace;background:#fff}#compare td,#compare th{border:1px solid #d6dae1;padding:2px 6px;vertical-align:top;max-width:360px;word-break:break-all}
#compare tr.diff td{background:#ffe9e9}.sev-CRITICAL{fill:#8b0000}.sev-HIGH{fill:#d9480f}.sev-MEDIUM{fill:#e8a317}.sev-LOW{fill:#4c7bd9}.sev-INFO{fill:#8893a5}.note{color:#555;font-size:12px}
`;

export const REPORT_SCRIPT = String.raw`
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('trailwatch-data').textContent);
  var C = {}; D.columns.forEach(function (c, i) { C[c] = i; });
  // the table arrives columnar with a string table (html.ts compactEvents): rows rebuilt once
  D.events = (function (E) {
    var rows = new Array(E.count), S = E.strings, names = Object.keys(E.columns);
    for (var i = 0; i < E.count; i++) rows[i] = new Array(D.columns.length);
    names.forEach(function (c) {
      var col = E.columns[c], at = C[c];
      for (var i = 0; i < E.count; i++) {
        var v = col[i];
        rows[i][at] = c === 'file' ? v : c === 'readOnly' ? (v < 0 ? null : v === 1) : S[v];
      }
    });
    return rows;
  })(D.events);
  // the records' JSON (one line per event, gzip, base64) is inflated, by the browser's own
  // DecompressionStream, only when first compared or downloaded; then each line parsed on use
  var recordLines = null;
  function loadRecords() {
    if (recordLines === null) {
      var b64 = document.getElementById('trailwatch-records').textContent.trim();
      var bin = atob(b64), bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      recordLines = new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text()
        .then(function (text) { return text.split('\n'); });
    }
    return recordLines;
  }
  function recordIn(lines, i) {
    try { return JSON.parse(lines[i]); } catch (e) { return null; }
  }
  var findingIds = new Set(D.findings.map(function (f) { return f.eventID; }).filter(Boolean));
  var SVGNS = 'http://www.w3.org/2000/svg';
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  function add(parent) { for (var i = 1; i < arguments.length; i++) parent.appendChild(arguments[i]); return parent; }

  // ---- dashboard
  var header = add(el('header'), el('h1', null, 'trailwatch scan report'), el('div', { class: 'note' }, 'generated ' + D.generatedAt));
  var main = el('main');
  add(document.body, header, main);
  // first and last time in one pass (sorting 100,000 strings only to read both ends cost more)
  var tMin = null, tMax = null;
  D.events.forEach(function (r) { var t = r[C.time]; if (!t) return; if (tMin === null || t < tMin) tMin = t; if (tMax === null || t > tMax) tMax = t; });
  var range = tMin !== null ? tMin + ' – ' + tMax : 'no events';
  var tiles = el('div', { class: 'tiles', id: 'dashboard' });
  [['accounts', D.accounts.length, D.accounts.join(', ')], ['regions', D.regions.length, D.regions.join(', ')], ['files', D.files.length, ''],
   ['records', D.records, ''], ['findings', D.findingTotal, ''], ['time range', '', range]].forEach(function (t) {
    var tile = add(el('div', { class: 'tile' }), el('b', null, t[1]), el('span', null, t[0]));
    if (t[2]) tile.appendChild(el('div', { class: 'note' }, t[2]));
    tiles.appendChild(tile);
  });
  add(main, tiles);

  // findings by severity per hour (stacked bars), by rule (bars), Insights Start/End on a timeline
  add(main, el('h2', null, 'Findings over time, by severity and rule'));
  var charts = el('div', { class: 'charts' });
  add(main, charts);
  var hours = {}; var sevs = D.severities;
  D.findings.forEach(function (f) { var h = (f.time || '').slice(0, 13); if (!h) return; hours[h] = hours[h] || {}; hours[h][f.severity] = (hours[h][f.severity] || 0) + 1; });
  var hourKeys = Object.keys(hours).sort();
  var W = 520, H = 160, max = 1;
  hourKeys.forEach(function (h) { var n = 0; sevs.forEach(function (s) { n += hours[h][s] || 0; }); max = Math.max(max, n); });
  var chart = svg('svg', { width: W, height: H + 30, id: 'chart-time', role: 'img' });
  var bw = hourKeys.length ? Math.max(4, Math.min(40, (W - 20) / hourKeys.length - 2)) : 0;
  hourKeys.forEach(function (h, i) {
    var y = H;
    sevs.forEach(function (s) {
      var n = hours[h][s] || 0; if (!n) return;
      var bh = (n / max) * (H - 10); y -= bh;
      var r = svg('rect', { x: 10 + i * (bw + 2), y: y, width: bw, height: bh, class: 'sev-' + s });
      r.appendChild(svg('title', null, h + ':00Z ' + s + ' ' + n)); chart.appendChild(r);
    });
  });
  if (hourKeys.length) { chart.appendChild(svg('text', { x: 10, y: H + 20, 'font-size': 11 }, hourKeys[0] + ':00Z')); chart.appendChild(svg('text', { x: W - 140, y: H + 20, 'font-size': 11 }, hourKeys[hourKeys.length - 1] + ':00Z')); }
  add(charts, add(el('div', { class: 'card' }), el('div', null, 'findings per hour (stacked by severity)'), chart));
  var rules = D.byRule.slice().sort(function (a, b) { return sevs.indexOf(b.severity) - sevs.indexOf(a.severity) || b.findings - a.findings; }).slice(0, 15);
  var rmax = Math.max.apply(null, [1].concat(rules.map(function (r) { return r.findings; })));
  var rchart = svg('svg', { width: 520, height: 18 * rules.length + 4, id: 'chart-rules' });
  rules.forEach(function (r, i) {
    rchart.appendChild(svg('text', { x: 0, y: 18 * i + 13, 'font-size': 11 }, r.id));
    rchart.appendChild(svg('rect', { x: 260, y: 18 * i + 3, width: Math.max(2, 220 * r.findings / rmax), height: 12, class: 'sev-' + r.severity }));
    rchart.appendChild(svg('text', { x: 265 + 220 * r.findings / rmax, y: 18 * i + 13, 'font-size': 11 }, r.findings));
  });
  add(charts, add(el('div', { class: 'card' }), el('div', null, 'findings by rule'), rchart));
  var insights = D.findings.filter(function (f) { return f.source === 'insight' || f.source === 'anomaly'; });
  var tl = svg('svg', { width: 520, height: 24 * Math.max(1, insights.length) + 30, id: 'chart-insights' });
  if (insights.length) {
    var t0 = Date.parse(insights.map(function (f) { return f.time; }).sort()[0]), t1 = Date.parse(insights.map(function (f) { return f.time; }).sort().slice(-1)[0]);
    var span = Math.max(60000, t1 - t0);
    insights.forEach(function (f, i) {
      var x = 10 + 380 * (Date.parse(f.time) - t0) / span;
      var mark = svg('circle', { cx: x, cy: 24 * i + 14, r: 5, class: 'sev-' + f.severity });
      mark.appendChild(svg('title', null, f.time + ' ' + f.title)); tl.appendChild(mark);
      tl.appendChild(svg('text', { x: 400, y: 24 * i + 18, 'font-size': 11 }, (f.severity === 'INFO' ? 'End ' : 'Start ') + f.ruleId + ' ' + f.time));
    });
  } else tl.appendChild(svg('text', { x: 10, y: 18, 'font-size': 11 }, 'no Insights Start/End in this scan'));
  add(charts, add(el('div', { class: 'card' }), el('div', null, 'Insights Start/End timeline'), tl));

  // ---- event history
  add(main, el('h2', null, 'Event history'));
  var capNote = D.events.length + ' event(s) listed' + (D.eventsDropped > 0 ? '; ' + D.eventsDropped + ' more past the cap of ' + D.eventsCap + ' not listed (events behind findings are always listed)' : ' (cap ' + D.eventsCap + ')');
  add(main, el('div', { class: 'note', id: 'cap-note' }, capNote));
  var filters = el('div', { class: 'filters' });
  var F = {};
  [['from', 'time from (ISO)'], ['to', 'time to (ISO)'], ['principal', 'principal'], ['name', 'event name'], ['source', 'event source'], ['resources', 'resource'], ['ip', 'source IP'], ['errorCode', 'error code']].forEach(function (f) {
    var input = el('input', { id: 'f-' + f[0], type: 'search', spellcheck: 'false' });
    F[f[0]] = input; add(filters, add(el('label'), document.createTextNode(f[1]), input));
  });
  var ro = el('select', { id: 'f-readOnly' });
  [['', 'any'], ['true', 'read-only'], ['false', 'write']].forEach(function (o) { add(ro, el('option', { value: o[0] }, o[1])); });
  F.readOnly = ro; add(filters, add(el('label'), document.createTextNode('read-only'), ro));
  var onlyFindings = el('input', { id: 'f-findings', type: 'checkbox' });
  add(filters, add(el('label'), document.createTextNode('findings only'), onlyFindings));
  var dlCsv = el('button', { id: 'download-csv', type: 'button' }, 'Download CSV');
  var dlJson = el('button', { id: 'download-json', type: 'button' }, 'Download JSON');
  var cmpBtn = el('button', { id: 'compare-button', type: 'button' }, 'Compare selected (0/5)');
  add(filters, dlCsv, dlJson, cmpBtn);
  add(main, filters);
  var count = el('div', { class: 'note', id: 'count' });
  add(main, count);
  var table = el('div', { id: 'table' });
  var spacer = el('div', { id: 'spacer' });
  add(table, spacer);
  add(main, table);
  var compare = el('div', { id: 'compare' });
  add(main, el('h2', null, 'Event comparison'), compare);

  var ROW = 24;
  var COLS = [['', 0], ['time', 1], ['name', 2], ['source', 3], ['principal', 4], ['ip', 5], ['errorCode', 6], ['readOnly', 7], ['region', 8]];
  var rows = D.events.map(function (r, i) { return i; });
  var selected = [];
  function has(hay, needle) { return !needle || String(hay == null ? '' : hay).toLowerCase().indexOf(needle) >= 0; }
  function applyFilters() {
    var q = {}; ['principal', 'name', 'source', 'resources', 'ip', 'errorCode'].forEach(function (k) { q[k] = F[k].value.trim().toLowerCase(); });
    var from = F.from.value.trim(), to = F.to.value.trim(), ronly = F.readOnly.value, fo = onlyFindings.checked;
    rows = [];
    for (var i = 0; i < D.events.length; i++) {
      var r = D.events[i];
      if (from && !(r[C.time] >= from)) continue;
      if (to && !(r[C.time] < to)) continue;
      if (ronly && String(r[C.readOnly]) !== ronly) continue;
      if (fo && !findingIds.has(r[C.id])) continue;
      if (!has(r[C.principal], q.principal) || !has(r[C.name], q.name) || !has(r[C.source], q.source) || !has(r[C.resources], q.resources) || !has(r[C.ip], q.ip) || !has(r[C.errorCode], q.errorCode)) continue;
      rows.push(i);
    }
    count.textContent = rows.length + ' of ' + D.events.length + ' event(s) match';
    spacer.style.height = (rows.length + 1) * ROW + 'px';
    render(true);
  }
  var pool = [];
  function render(force) {
    var first = Math.max(0, Math.floor(table.scrollTop / ROW) - 5);
    var n = Math.ceil(table.clientHeight / ROW) + 10;
    while (spacer.firstChild) spacer.removeChild(spacer.firstChild);
    var head = el('div', { class: 'row head' });
    COLS.forEach(function (c) { add(head, el('span', { class: 'c' + c[1] }, c[0] === '' ? '✓' : c[0])); });
    head.style.top = table.scrollTop + 'px'; head.style.position = 'absolute';
    spacer.appendChild(head);
    for (var k = first; k < Math.min(rows.length, first + n); k++) {
      var idx = rows[k], r = D.events[idx];
      var line = el('div', { class: 'row' + (findingIds.has(r[C.id]) ? ' finding' : ''), 'data-index': idx });
      line.style.top = (k + 1) * ROW + 'px';
      var box = el('input', { type: 'checkbox', class: 'pick', 'data-index': idx });
      box.checked = selected.indexOf(idx) >= 0;
      add(line, add(el('span', { class: 'c0' }), box));
      for (var c = 1; c < COLS.length; c++) {
        var v = r[C[COLS[c][0]]];
        var cell = el('span', { class: 'c' + c }, v === null ? '' : v);
        cell.title = v === null ? '' : String(v);
        line.appendChild(cell);
      }
      spacer.appendChild(line);
    }
  }
  table.addEventListener('scroll', function () { render(false); });
  table.addEventListener('change', function (e) {
    var t = e.target; if (!t.classList || !t.classList.contains('pick')) return;
    var idx = Number(t.getAttribute('data-index'));
    var at = selected.indexOf(idx);
    if (t.checked && at < 0) { if (selected.length >= 5) { t.checked = false; return; } selected.push(idx); }
    if (!t.checked && at >= 0) selected.splice(at, 1);
    cmpBtn.textContent = 'Compare selected (' + selected.length + '/5)';
  });
  var timer = 0;
  Object.keys(F).forEach(function (k) { F[k].addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(applyFilters, 80); }); });
  onlyFindings.addEventListener('change', applyFilters);

  // ---- downloads of the filtered set (Blob URLs: nothing leaves the machine)
  function csvCell(v) {
    if (v === null || v === undefined) return '';
    var s = String(v); if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function download(name, type, text) {
    var a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type: type }));
    a.download = name; document.body.appendChild(a); a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }
  var plainCols = D.columns.filter(function (c) { return c !== 'record'; });
  dlCsv.addEventListener('click', function () {
    var lines = [plainCols.join(',')];
    rows.forEach(function (i) { var r = D.events[i]; lines.push(plainCols.map(function (c) { return csvCell(c === 'file' ? D.files[r[C.file]] : r[C[c]]); }).join(',')); });
    download('trailwatch-events.csv', 'text/csv', lines.join('\r\n') + '\r\n');
  });
  dlJson.addEventListener('click', function () {
    var picked = rows.slice();
    loadRecords().then(function (lines) {
      var out = picked.map(function (i) { var r = D.events[i], rec = recordIn(lines, i); if (rec) return rec; var o = {}; plainCols.forEach(function (c) { o[c] = c === 'file' ? D.files[r[C.file]] : r[C[c]]; }); return o; });
      download('trailwatch-events.json', 'application/json', JSON.stringify(out, null, 1));
    });
  });

  // ---- comparison: fields aligned by path, rows that differ highlighted
  function flatten(value, prefix, out) {
    if (value !== null && typeof value === 'object') {
      var keys = Object.keys(value); if (!keys.length) out[prefix] = Array.isArray(value) ? '[]' : '{}';
      keys.forEach(function (k) { flatten(value[k], prefix ? prefix + '.' + k : k, out); });
    } else out[prefix] = value === null ? 'null' : String(value);
    return out;
  }
  cmpBtn.addEventListener('click', function () {
    while (compare.firstChild) compare.removeChild(compare.firstChild);
    if (selected.length < 2) { compare.appendChild(el('div', { class: 'note' }, 'pick 2 to 5 events with the checkboxes')); return; }
    var picked = selected.slice();
    loadRecords().then(function (lines) { showComparison(picked, lines); });
  });
  function showComparison(selected, lines) {
    while (compare.firstChild) compare.removeChild(compare.firstChild);
    var flats = selected.map(function (i) {
      var r = D.events[i], rec = recordIn(lines, i);
      if (!rec) { rec = {}; plainCols.forEach(function (c) { rec[c] = r[C[c]]; }); }
      return flatten(rec, '', {});
    });
    var paths = new Set(); flats.forEach(function (f) { Object.keys(f).forEach(function (p) { paths.add(p); }); });
    var t = el('table', { id: 'compare-table' });
    var head = el('tr'); head.appendChild(el('th', null, 'field'));
    selected.forEach(function (i, n) { head.appendChild(el('th', null, 'event ' + (n + 1))); });
    t.appendChild(head);
    Array.from(paths).sort().forEach(function (p) {
      var vals = flats.map(function (f) { return Object.prototype.hasOwnProperty.call(f, p) ? f[p] : '(absent)'; });
      var differ = vals.some(function (v) { return v !== vals[0]; });
      var tr = el('tr', differ ? { class: 'diff' } : null);
      tr.appendChild(el('td', null, p));
      vals.forEach(function (v) { tr.appendChild(el('td', null, v)); });
      t.appendChild(tr);
    });
    compare.appendChild(t);
  }
  applyFilters();
  document.body.setAttribute('data-ready', 'true');
})();
`;
