// /rules: the rule views, drawn from what the rules' findings carry:
//   canary  the checks up to the decision (details.checks: error rate and p99 of
//           the canary and its baseline at each, passed or failed, the strikes),
//           the decision, and the actions run for it (/api/actions);
//   cost    the daily cost of the service: the days before and the day judged,
//           with the mean + k·stdev threshold;
//   drift   each difference with who changed it and when.
// Not drawn, as no finding carries it: the cost of services that stayed
// under their threshold.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

// An <svg> W x H with its title, and the value axis: 5 grid lines from 0
// to `max` between L and W - R, labelled at the left; `y` maps a value.
function chartFrame(title, W, H, L, R, max, y, unit) {
  const root = svg('svg', {viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': title});
  root.append(svg('title', {}, title));
  for (let k = 0; k <= 4; k++) {
    const v = max * k / 4;
    root.append(svg('line', {x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: '#e3e7eb'}));
    root.append(svg('text', {x: L - 4, y: y(v) + 4, 'text-anchor': 'end'}, fmt(v, unit)));
  }
  return root;
}

// A bar chart of `values` ({label, value, mark}: marked bars red) with
// horizontal `lines` ({value, label, dash, colour, below}); `unit` after numbers.
function barChart(title, values, lines, unit) {
  // The right margin holds the lines' labels.
  const W = 640, H = 220, L = 56, R = 150, T = 14, B = 40;
  const max = Math.max(1e-9, ...values.map((v) => v.value), ...lines.map((l) => l.value)) * 1.1;
  const y = (v) => T + (H - T - B) * (1 - v / max);
  const step = (W - L - R) / Math.max(1, values.length);
  const root = chartFrame(title, W, H, L, R, max, y, unit);
  values.forEach((v, i) => {
    const x = L + step * i + step / 2;
    root.append(svg('rect', {x: x - step * 0.3, width: step * 0.6, y: y(v.value), height: y(0) - y(v.value),
      fill: v.mark ? '#b3261e' : '#0b57d0', class: 'bar' + (v.mark ? ' judged' : ''), 'data-label': v.label,
      'data-value': v.value}));
    root.append(svg('text', {x, y: H - B + 16, 'text-anchor': 'middle'}, v.label));
    root.append(svg('text', {x, y: y(v.value) - 6, 'text-anchor': 'middle'}, fmt(v.value, unit)));
  });
  for (const l of lines) {
    root.append(svg('line', {x1: L, x2: W - R, y1: y(l.value), y2: y(l.value), stroke: l.colour || '#4d5561',
      'stroke-dasharray': l.dash ? '6 4' : 'none', 'stroke-width': 2, class: l.name, 'data-value': l.value}));
    // Labels right of the bars, above the line (below it for `below`).
    root.append(svg('text', {x: W - R + 4, y: y(l.value) + (l.below ? 14 : -5), 'text-anchor': 'start'},
      l.label + ' ' + fmt(l.value, unit)));
  }
  return root;
}

function fmt(v, unit) {
  if (unit === '%') return (v * 100).toFixed(1) + '%';
  return (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1)) + (unit ? ' ' + unit : '');
}

function num(text) { const n = parseFloat(text); return Number.isFinite(n) ? n : 0; }

// A figure of the series: a number, or null for "-".
function figure(text) { const n = parseFloat(text); return Number.isFinite(n) ? n : null; }

// details.checks ("TIME pass|fail STRIKES RATE P99_MS REQUESTS BASE_RATE BASE_P99_MS BASE_REQUESTS; ...")
// -> checks, oldest first.
function parseSeries(text) {
  const checks = [];
  for (const part of (text || '').split(';')) {
    const c = part.trim().split(/\s+/);
    if (c.length < 9) continue;
    checks.push({time: c[0], failed: c[1] === 'fail', strikes: +c[2], rate: figure(c[3]), p99: figure(c[4]),
      requests: +c[5], baseRate: figure(c[6]), baseP99: figure(c[7]), baseRequests: +c[8]});
  }
  return checks;
}

// A line chart over the checks: the canary's values (a point per check, red
// and numbered with its strike when it failed) and the baseline's (dashed,
// grey), the limit as a line, the deciding check marked.
function seriesChart(title, checks, canaryOf, baselineOf, limit, unit, decision) {
  // The right margin holds the limit's label; the top one the decision's.
  const W = 640, H = 240, L = 56, R = 84, T = 28, B = 40;
  const values = checks.flatMap((c) => [canaryOf(c), baselineOf(c)]).filter((v) => v !== null);
  const max = Math.max(1e-9, ...values, limit === null ? 0 : limit) * 1.15;
  const y = (v) => T + (H - T - B) * (1 - v / max);
  const P = 24;  // keeps the first and last points clear of the axis and the edge
  const x = (i) => checks.length === 1 ? (L + W - R) / 2 : L + P + (W - L - R - 2 * P) * i / (checks.length - 1);
  const root = chartFrame(title, W, H, L, R, max, y, unit);
  const every = Math.max(1, Math.ceil(checks.length / 8));  // time labels that fit
  checks.forEach((c, i) => {
    if (i % every === 0 || i === checks.length - 1) {
      root.append(svg('text', {x: x(i), y: H - B + 16, 'text-anchor': 'middle'}, c.time.slice(11, 19)));
    }
  });
  const last = checks.length - 1;
  if (decision && last >= 0) {
    root.append(svg('line', {x1: x(last), x2: x(last), y1: T, y2: H - B, stroke: '#7a0e8c', 'stroke-width': 2,
      'stroke-dasharray': '3 3', class: 'decision'}));
    root.append(svg('text', {x: x(last), y: T - 8, 'text-anchor': 'middle', class: 'decision-label'}, decision));
  }
  if (limit !== null) {
    root.append(svg('line', {x1: L, x2: W - R, y1: y(limit), y2: y(limit), stroke: '#b3261e', 'stroke-width': 1.5,
      'stroke-dasharray': '6 4', class: 'limit'}));
    root.append(svg('text', {x: W - R + 4, y: y(limit) + 4, 'text-anchor': 'start'}, 'limit ' + fmt(limit, unit)));
  }
  const path = (valueOf) => checks.map((c, i) => [i, valueOf(c)]).filter(([, v]) => v !== null)
    .map(([i, v], k) => (k ? 'L' : 'M') + x(i).toFixed(1) + ' ' + y(v).toFixed(1)).join(' ');
  root.append(svg('path', {d: path(baselineOf), fill: 'none', stroke: '#5c6670', 'stroke-width': 2, 'stroke-dasharray': '5 4'}));
  root.append(svg('path', {d: path(canaryOf), fill: 'none', stroke: '#0b57d0', 'stroke-width': 2}));
  checks.forEach((c, i) => {
    const b = baselineOf(c);
    if (b !== null) {
      root.append(svg('rect', {x: x(i) - 3.5, y: y(b) - 3.5, width: 7, height: 7, fill: '#5c6670',
        class: 'point baseline', 'data-time': c.time, 'data-value': b}));
    }
    const v = canaryOf(c);
    if (v === null) return;
    const point = svg('circle', {cx: x(i), cy: y(v), r: c.failed ? 6 : 4.5, fill: c.failed ? '#b3261e' : '#0b57d0',
      class: 'point canary ' + (c.failed ? 'fail' : 'pass'), 'data-time': c.time, 'data-value': v,
      'data-strikes': c.strikes});
    point.append(svg('title', {}, c.time + ': ' + (c.failed ? 'failed, strike ' + c.strikes : 'passed') +
      '; canary ' + fmt(v, unit) + (b !== null ? ', baseline ' + fmt(b, unit) : '')));
    root.append(point);
    if (c.failed) root.append(svg('text', {x: x(i), y: y(v) - 9, 'text-anchor': 'middle', class: 'strike'}, '×' + c.strikes));
  });
  return root;
}

// The runs of the actions for a finding: what ran, when, and what came of it.
function actionList(runs) {
  if (!runs.length) return el('p', {class: 'muted actions'}, 'No action has run for this decision.');
  return el('ul', {class: 'actions'}, ...runs.map((r) => el('li', {class: 'action-run', 'data-outcome': r.outcome},
    el('strong', {}, r.action), ' (' + r.action_kind + '): ',
    el('span', {class: 'outcome outcome-' + r.outcome}, r.outcome), ' at ', fmtTime(r.started_unix_nano),
    ' in ' + (r.duration_seconds * 1000).toFixed(0) + ' ms',
    r.action_kind === 'exec' && r.exit_code >= 0 ? ', exit ' + r.exit_code : '',
    r.http_status ? ', HTTP ' + r.http_status : '', r.error ? ': ' + r.error : '',
    el('div', {class: 'mono'}, r.command),
    r.output ? el('details', {}, el('summary', {}, 'output'), el('pre', {}, r.output)) : null)));
}

function canaryView(f, runs) {
  const d = f.details;
  const checks = parseSeries(d.checks);
  const failed = checks.filter((c) => c.failed).length;
  const decision = (d.action || 'decision').toUpperCase();
  const baseline = d.baseline_service || 'baseline';
  const omitted = +(d.checks_omitted || 0);
  return el('article', {class: 'card rule-canary', 'data-id': f.id},
    el('h3', {}, severityBadge(f.severity), ' ', f.subject, ': ', decision),
    el('p', {}, f.summary),
    el('p', {class: 'muted'}, checks.length + ' checks' + (omitted ? ' (the last; ' + omitted + ' before them not shown)' : '') +
      ', every ' + (d.interval || '?') + ' over the last ' + (d.window || '?') + ': ' + failed + ' failed; ' +
      (d.strikes || '?') + ' in a row decide, the first of this run at ' + (d.first_failed_check || '?') + '.'),
    el('div', {class: 'legend'},
      el('span', {}, el('span', {class: 'sw sw-canary'}), 'canary (passed)'),
      el('span', {}, el('span', {class: 'sw sw-fail'}), 'canary (failed, ×strike)'),
      el('span', {}, el('span', {class: 'sw sw-baseline'}), baseline),
      el('span', {}, el('span', {class: 'sw sw-decision'}), 'decision')),
    seriesChart('Error rate of ' + f.subject + ' and ' + baseline + ' at each check', checks,
      (c) => c.rate, (c) => c.baseRate, d.max_error_rate ? num(d.max_error_rate) : null, '%', decision),
    seriesChart('p99 latency of ' + f.subject + ' and ' + baseline + ' at each check', checks,
      (c) => c.p99, (c) => c.baseP99, d.max_p99_ms ? num(d.max_p99_ms) : null, 'ms', decision),
    el('h4', {}, 'Actions run'),
    actionList(runs));
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
    {value: num(d.threshold), label: 'mean + ' + (d.stdevs || 'k') + '·stdev', colour: '#b3261e', dash: true,
      name: 'threshold'},
    {value: num(d.mean), label: 'mean', dash: true, below: true, name: 'mean'},
  ];
  return el('article', {class: 'card rule-cost', 'data-id': f.id},
    el('h3', {}, severityBadge(f.severity), ' ', f.subject, ' cost on ', d.day || ''),
    el('p', {}, f.summary),
    barChart('Daily cost of ' + f.subject + ' (' + (d.currency || '') + ')', days, lines, d.currency || ''));
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
    const [canary, cost, drift, actions] = await Promise.all([
      ...['canary_rollback', 'cost_anomaly', 'drift'].map((kind) => api('/api/findings?limit=1000&kind=' + kind)),
      api('/api/actions')]);
    const runsOf = (f) => actions.runs.filter((r) => r.finding_id === f.id);
    const none = (what) => el('p', {class: 'muted'}, 'No open ' + what + ' findings.');
    document.getElementById('canary').replaceChildren(
      ...(canary.findings.length ? canary.findings.map((f) => canaryView(f, runsOf(f))) : [none('canary')]));
    document.getElementById('cost').replaceChildren(
      ...(cost.findings.length ? cost.findings.map(costView) : [none('cost')]));
    const table = el('table', {}, el('thead', {}, el('tr', {},
      ...['Severity', 'Drift', 'Rule or group', 'Changed by', 'Changed at', 'Event'].map((h) => el('th', {scope: 'col'}, h)),
      el('th', {scope: 'col', class: 'wide-only'}, 'Summary'))),
      el('tbody', {}, ...drift.findings.map(driftRow)));
    document.getElementById('drifts').replaceChildren(drift.findings.length ? el('div', {class: 'table-wrap'}, table) : none('drift'));
    status.textContent = 'From the open findings of the canary, cost and drift rules, and the actions run for them.';
  } catch (error) {
    showError(status, error);
  }
}

load();
