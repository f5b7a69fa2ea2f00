// /rules: the rule views, drawn from what the rules' findings carry:
//   canary  the failed checks (error rate and p99 per check, the strikes) against
//           the baseline, and the decision;
//   cost    the daily cost of the service: the 7 days before and the day judged,
//           with the mean + k·stdev threshold;
//   drift   each difference with who changed it and when.
// Not drawn, as no finding carries it: the checks the canary passed, the
// cost of services that stayed under their threshold, and the actions run
// (`logweave actions` lists those).
'use strict';

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

// A bar or point chart of `values` ({label, value, mark}) with horizontal
// `lines` ({value, label, dash}); `unit` after numbers.
function chart(title, values, lines, unit, kind) {
  const W = 640, H = 220, L = 56, R = 12, T = 14, B = 40;
  const max = Math.max(1e-9, ...values.map((v) => v.value), ...lines.map((l) => l.value)) * 1.1;
  const y = (v) => T + (H - T - B) * (1 - v / max);
  const step = (W - L - R) / Math.max(1, values.length);
  const root = svg('svg', {viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': title});
  root.append(svg('title', {}, title));
  for (let k = 0; k <= 4; k++) {
    const v = max * k / 4;
    root.append(svg('line', {x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: '#e3e7eb'}));
    root.append(svg('text', {x: L - 4, y: y(v) + 4, 'text-anchor': 'end'}, fmt(v, unit)));
  }
  values.forEach((v, i) => {
    const x = L + step * i + step / 2;
    const colour = v.mark ? '#b3261e' : '#0b57d0';
    if (kind === 'bars') {
      root.append(svg('rect', {x: x - step * 0.3, width: step * 0.6, y: y(v.value), height: y(0) - y(v.value), fill: colour},
        undefined));
    } else {
      root.append(svg('circle', {cx: x, cy: y(v.value), r: 5, fill: colour}));
    }
    root.append(svg('text', {x, y: H - B + 16, 'text-anchor': 'middle'}, v.label));
    root.append(svg('text', {x, y: y(v.value) - 6, 'text-anchor': 'middle'}, fmt(v.value, unit)));
  });
  for (const l of lines) {
    root.append(svg('line', {x1: L, x2: W - R, y1: y(l.value), y2: y(l.value), stroke: l.colour || '#4d5561',
      'stroke-dasharray': l.dash ? '6 4' : 'none', 'stroke-width': 2}));
    // Labels at the left end, above the line (below it for `below`), clear of the values.
    root.append(svg('text', {x: L + 4, y: y(l.value) + (l.below ? 14 : -5), 'text-anchor': 'start'},
      l.label + ' ' + fmt(l.value, unit)));
  }
  return root;
}

function fmt(v, unit) {
  if (unit === '%') return (v * 100).toFixed(1) + '%';
  return (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1)) + (unit ? ' ' + unit : '');
}

function num(text) { const n = parseFloat(text); return Number.isFinite(n) ? n : 0; }

// "2026-11-23T10:00:30.000Z 2/39 failed, p99 1775 ms; ..." -> checks.
function parseChecks(text) {
  const checks = [];
  for (const part of (text || '').split(';')) {
    const m = part.trim().match(/^(\S+) (\d+)\/(\d+) failed(?:, p99 ([\d.]+) ms)?/);
    if (m) checks.push({time: m[1], failed: +m[2], requests: +m[3], p99: m[4] ? +m[4] : null});
  }
  return checks;
}

function canaryView(f) {
  const d = f.details;
  const checks = parseChecks(d.failed_checks);
  const label = (c) => c.time.slice(11, 19);
  const rate = checks.map((c) => ({label: label(c), value: c.requests ? c.failed / c.requests : 0, mark: true}));
  const p99 = checks.filter((c) => c.p99 !== null).map((c) => ({label: label(c), value: c.p99, mark: true}));
  const rateLines = [];
  if (d.baseline_error_rate) rateLines.push({value: num(d.baseline_error_rate), label: 'baseline', dash: true});
  const p99Lines = [];
  if (d.baseline_p99_ms) p99Lines.push({value: num(d.baseline_p99_ms), label: 'baseline p99', dash: true});
  return el('article', {class: 'card rule-canary', 'data-id': f.id},
    el('h3', {}, severityBadge(f.severity), ' ', f.subject, ': ', (d.action || 'decision').toUpperCase()),
    el('p', {}, f.summary),
    el('p', {class: 'muted'}, checks.length + ' failed checks in a row (strikes: ' + (d.strikes || '?') +
      '), every ' + (d.interval || '?') + ' over the last ' + (d.window || '?') + '; first failed ' + (d.first_failed_check || '?') + '.'),
    chart('Error rate of ' + f.subject + ' at each failed check', rate, rateLines, '%', 'points'),
    p99.length ? chart('p99 latency of ' + f.subject + ' at each failed check', p99, p99Lines, 'ms', 'points') : null);
}

function costView(f) {
  const d = f.details;
  const days = [];
  for (const part of (d.history || '').split(';')) {
    const [day, value] = part.trim().split(' ');
    if (day) days.push({label: day.slice(5), value: num(value), mark: false});
  }
  days.push({label: (d.day || '').slice(5), value: num(d.cost), mark: true});
  const lines = [
    {value: num(d.threshold), label: 'mean + ' + (d.stdevs || 'k') + '·stdev', colour: '#b3261e', dash: true},
    {value: num(d.mean), label: 'mean', dash: true, below: true},
  ];
  return el('article', {class: 'card rule-cost', 'data-id': f.id},
    el('h3', {}, severityBadge(f.severity), ' ', f.subject, ' cost on ', d.day || ''),
    el('p', {}, f.summary),
    chart('Daily cost of ' + f.subject + ' (' + (d.currency || '') + ')', days, lines, d.currency || '', 'bars'));
}

function driftRow(f) {
  const d = f.details;
  return el('tr', {class: 'rule-drift', 'data-id': f.id},
    el('td', {}, severityBadge(f.severity)),
    el('td', {}, d.drift || ''),
    el('td', {class: 'mono'}, f.subject),
    el('td', {}, d.changed_by || el('span', {class: 'muted'}, 'unknown (no CloudTrail event)')),
    el('td', {class: 'mono'}, d.changed_at || ''),
    el('td', {}, d.event || ''),
    el('td', {class: 'wide-only'}, f.summary));
}

async function load() {
  header('/rules');
  const status = document.getElementById('status');
  try {
    const [canary, cost, drift] = await Promise.all(['canary_rollback', 'cost_anomaly', 'drift']
      .map((kind) => api('/api/findings?limit=1000&kind=' + kind)));
    const none = (what) => el('p', {class: 'muted'}, 'No open ' + what + ' findings.');
    document.getElementById('canary').replaceChildren(
      ...(canary.findings.length ? canary.findings.map(canaryView) : [none('canary')]));
    document.getElementById('cost').replaceChildren(
      ...(cost.findings.length ? cost.findings.map(costView) : [none('cost')]));
    const table = el('table', {}, el('thead', {}, el('tr', {},
      ...['Severity', 'Drift', 'Rule or group', 'Changed by', 'Changed at', 'Event'].map((h) => el('th', {scope: 'col'}, h)),
      el('th', {scope: 'col', class: 'wide-only'}, 'Summary'))),
      el('tbody', {}, ...drift.findings.map(driftRow)));
    document.getElementById('drifts').replaceChildren(drift.findings.length ? el('div', {class: 'table-wrap'}, table) : none('drift'));
    status.textContent = 'From the open findings of the canary, cost and drift rules. The checks a canary passed and the actions run are not in the findings (see logweave actions).';
  } catch (error) {
    showError(status, error);
  }
}

load();
