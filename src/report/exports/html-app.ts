/**
 * The browser side of report.html, as one inline script (its SHA-256 goes into the page's
 * Content-Security-Policy, so no other script can run). It reads the data from
 * <script type="application/json"> blocks and writes every value with textContent: text from AWS
 * (descriptions, aliases, account names) never becomes markup.
 *
 * The key table renders only the rows in view (virtual scrolling: a spacer of rows × ROW_HEIGHT, and
 * a pool of absolutely positioned row elements refilled on scroll), so 100,000 keys stay responsive.
 * Filtering and sorting work on an index array over the row data.
 */
export const HTML_APP = String.raw`(function () {
  'use strict';
  var ROW_HEIGHT = 28, OVERSCAN = 10;
  var COLS = [
    { key: 0, label: 'Account', w: 130 }, { key: 1, label: 'Account name', w: 150 }, { key: 2, label: 'OU', w: 170 },
    { key: 3, label: 'Region', w: 110 }, { key: 4, label: 'Key id', w: 290 }, { key: 5, label: 'Aliases', w: 180 },
    { key: 6, label: 'Description', w: 220 }, { key: 7, label: 'Status', w: 120 }, { key: 8, label: 'Period (days)', w: 100, num: true },
    { key: 9, label: 'Reason', w: 420 }
  ];
  function data(id) { return JSON.parse(document.getElementById(id).textContent); }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined && text !== null) e.textContent = String(text); return e; }
  function fmt(n) { return Number(n).toLocaleString('en-US'); }

  var meta = data('report-meta');
  var rows = data('report-keys');

  // Summary and coverage, as on the PDF's first pages.
  function dl(parent, pairs) {
    var list = el('dl', 'facts');
    pairs.forEach(function (p) { list.appendChild(el('dt', null, p[0])); list.appendChild(el('dd', null, p[1])); });
    parent.appendChild(list);
  }
  function table(parent, head, body, cls) {
    var t = el('table', cls || 'small'), tr = el('tr');
    head.forEach(function (h) { tr.appendChild(el('th', null, h)); });
    var thead = el('thead'); thead.appendChild(tr); t.appendChild(thead);
    var tb = el('tbody');
    body.forEach(function (r) { var row = el('tr'); r.forEach(function (c, i) { row.appendChild(el('td', i === 0 && typeof c === 'string' && /^(met|not met|not assessed|PASS|FAIL|ERROR|EXCEPTION|NOT_APPLICABLE)$/.test(c) ? 'st st-' + c.replace(/ /g, '_') : null, c)); }); tb.appendChild(row); });
    t.appendChild(tb); parent.appendChild(t);
  }
  var summary = document.getElementById('summary');
  var c = meta.counts, applicable = c.PASS + c.FAIL + c.EXCEPTION + c.ERROR;
  if (meta.notEvidence) summary.appendChild(el('p', 'stamp', meta.notEvidence));
  summary.appendChild(el('h1', null, 'KMS key rotation audit (' + meta.ruleId + ')'));
  // "Run finished" and "coverage complete" are two facts (issue 11): both are said, apart.
  dl(summary, [['Scan', meta.scanId], ['Snapshot', meta.finishedAt], ['Organization', meta.organizationId || '—'], ['Tool', meta.tool], ['Run finished', meta.complete ? 'yes' : 'NO: results are partial'], ['Coverage', meta.coverage.gaps === 0 && meta.complete ? 'complete' : 'INCOMPLETE: see Coverage']]);
  summary.appendChild(el('p', 'lead', applicable === 0 ? fmt(meta.keys) + ' keys found; none is one the rule applies to.' :
    fmt(c.PASS + c.EXCEPTION) + ' of ' + fmt(applicable) + ' applicable keys comply (' + (100 * (c.PASS + c.EXCEPTION) / applicable).toFixed(1) + '%): ' + fmt(c.PASS) + ' pass and ' + fmt(c.EXCEPTION) +
    ' are covered by an approved exception. ' + fmt(c.FAIL) + ' fail and ' + fmt(c.ERROR) + ' could not be checked. ' + fmt(c.NOT_APPLICABLE) + ' further keys are not applicable.'));
  var counts = el('div', 'counts');
  ['PASS', 'FAIL', 'EXCEPTION', 'ERROR', 'NOT_APPLICABLE'].forEach(function (s) { var b = el('div', 'count st-' + s); b.appendChild(el('strong', null, fmt(c[s]))); b.appendChild(el('span', null, s)); counts.appendChild(b); });
  summary.appendChild(counts);
  summary.appendChild(el('h2', null, 'Controls'));
  table(summary, ['Status', 'Framework', 'Control', 'Title', 'Basis'], meta.controls.map(function (l) { return [l.status, l.framework, l.id, l.title, l.basis]; }));

  var cov = document.getElementById('coverage'), cv = meta.coverage;
  cov.appendChild(el('h2', null, 'Coverage'));
  cov.appendChild(el('p', cv.gaps === 0 && meta.complete ? 'lead ok' : 'lead gap', cv.statement));
  dl(cov, [['Accounts in scope', fmt(cv.accounts.total)], ['Accounts scanned', fmt(cv.accounts.scanned)], ['Accounts in error', fmt(cv.accounts.error)], ['Accounts skipped', fmt(cv.accounts.skipped)],
    ['Account-regions', fmt(cv.regions.total)], ['Scanned', fmt(cv.regions.scanned)], ['Not enabled', fmt(cv.regions.notEnabled)], ['In error', fmt(cv.regions.error)]]);
  if (cv.gapRows.length) { cov.appendChild(el('h3', null, 'Not assessed')); table(cov, ['Account', 'Region', 'Error', 'Operation', 'Message'], cv.gapRows); }

  // The key table.
  var accountSel = document.getElementById('f-account'), ouSel = document.getElementById('f-ou'), regionSel = document.getElementById('f-region'), statusSel = document.getElementById('f-status'), textIn = document.getElementById('f-text');
  function options(sel, values) { values.forEach(function (v) { var o = el('option', null, v); o.value = v; sel.appendChild(o); }); }
  function distinct(i) { var s = {}; rows.forEach(function (r) { if (r[i] !== null && r[i] !== '') s[r[i]] = 1; }); return Object.keys(s).sort(); }
  options(accountSel, distinct(0)); options(ouSel, distinct(2)); options(regionSel, distinct(3)); options(statusSel, ['PASS', 'FAIL', 'EXCEPTION', 'ERROR', 'NOT_APPLICABLE']);
  var lower = rows.map(function (r) { return r.join('\u0001').toLowerCase(); });

  var head = document.getElementById('grid-head'), viewport = document.getElementById('grid'), spacer = document.getElementById('grid-spacer'), shown = document.getElementById('shown');
  var width = COLS.reduce(function (a, col) { return a + col.w; }, 0);
  spacer.style.width = head.style.width = viewport.style.width = width + 'px';
  var sort = { col: -1, dir: 1 };
  COLS.forEach(function (col, ci) {
    var h = el('button', 'th', col.label); h.type = 'button'; h.style.width = col.w + 'px'; h.dataset.col = String(ci);
    h.addEventListener('click', function () { sort = { col: ci, dir: sort.col === ci ? -sort.dir : 1 }; apply(); });
    head.appendChild(h);
  });
  var order = [];
  function apply() {
    var a = accountSel.value, o = ouSel.value, rg = regionSel.value, st = statusSel.value, q = textIn.value.trim().toLowerCase();
    order = [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      if ((a && r[0] !== a) || (o && r[2] !== o) || (rg && r[3] !== rg) || (st && r[7] !== st) || (q && lower[i].indexOf(q) < 0)) continue;
      order.push(i);
    }
    if (sort.col >= 0) {
      var k = COLS[sort.col].key, num = COLS[sort.col].num, d = sort.dir;
      order.sort(function (x, y) {
        var p = rows[x][k], q2 = rows[y][k];
        if (p === q2) return x - y;
        if (p === null || p === '') return 1;
        if (q2 === null || q2 === '') return -1;
        return (num ? p - q2 : (p < q2 ? -1 : 1)) * d;
      });
    }
    Array.prototype.forEach.call(head.children, function (h, i) { h.setAttribute('aria-sort', i === sort.col ? (sort.dir > 0 ? 'ascending' : 'descending') : 'none'); });
    shown.textContent = fmt(order.length) + ' of ' + fmt(rows.length) + ' keys';
    spacer.style.height = order.length * ROW_HEIGHT + 'px';
    viewport.scrollTop = 0;
    render(true);
  }
  var pool = [], first = -1;
  function render(force) {
    var top = viewport.scrollTop, height = viewport.clientHeight || 600;
    var start = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN), end = Math.min(order.length, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    if (!force && start === first && pool.length === end - start) return;
    first = start;
    while (pool.length < end - start) {
      var row = el('div', 'row');
      COLS.forEach(function (col) { var cell = el('div', 'cell'); cell.style.width = col.w + 'px'; row.appendChild(cell); });
      spacer.appendChild(row); pool.push(row);
    }
    while (pool.length > end - start) spacer.removeChild(pool.pop());
    for (var n = 0; n < pool.length; n++) {
      var r = rows[order[start + n]], div = pool[n];
      div.style.transform = 'translateY(' + (start + n) * ROW_HEIGHT + 'px)';
      div.className = 'row st-row-' + r[7];
      for (var ci = 0; ci < COLS.length; ci++) {
        var v = r[COLS[ci].key], cell = div.children[ci];
        cell.textContent = v === null ? '' : String(v);
        cell.title = cell.textContent;
      }
    }
  }
  viewport.addEventListener('scroll', function () { render(false); }, { passive: true });
  [accountSel, ouSel, regionSel, statusSel].forEach(function (s) { s.addEventListener('change', apply); });
  var timer = null;
  textIn.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(apply, 120); });
  window.addEventListener('resize', function () { render(true); });
  apply();
  document.body.setAttribute('data-ready', 'true');
})();`;
