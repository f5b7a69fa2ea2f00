// /: the open findings, newest first, grouped by kind and severity, polled
// every few seconds (each row links to its trace or rule view).
'use strict';

const POLL_MS = 5000;
const SEVERITY_RANK = {critical: 0, error: 1, warning: 2, info: 3};
let kindFilter = new URLSearchParams(location.search).get('kind') || '';
let lastShown = '';  // the rows' content: unchanged rows keep the keyboard focus

function renderKinds(findings) {
  const counts = {};
  for (const f of findings) counts[f.kind] = (counts[f.kind] || 0) + 1;
  const box = document.getElementById('kinds');
  const chip = (kind, label) => el('button', {type: 'button', class: 'chip', 'aria-pressed': String(kindFilter === kind),
    onclick: () => { kindFilter = kind; refresh(); }}, label);
  box.replaceChildren(chip('', 'all ' + findings.length),
    ...Object.keys(counts).sort().map((k) => chip(k, k + ' ' + counts[k])));
}

function renderRows(findings) {
  const shown = findings.filter((f) => !kindFilter || f.kind === kindFilter);
  const signature = JSON.stringify(shown.map((f) => f.id + f.time_unix_nano));
  if (signature === lastShown) return shown.length;
  lastShown = signature;
  const rows = shown.map((f) => el('tr', {class: 'finding', 'data-id': f.id},
    el('td', {class: 'mono'}, fmtTime(f.time_unix_nano)),
    el('td', {'data-rank': SEVERITY_RANK[f.severity]}, severityBadge(f.severity)),
    el('td', {}, f.kind),
    el('td', {}, el('a', {href: findingLink(f)}, f.subject || f.trace_id || f.id)),
    el('td', {class: 'wide-only'}, f.summary)));
  document.querySelector('#findings tbody').replaceChildren(...rows);
  return shown.length;
}

async function refresh() {
  const status = document.getElementById('status');
  try {
    const body = await api('/api/findings?limit=1000');
    // Newest first; at one time, the most severe first.
    const findings = body.findings.slice().sort((a, b) => {
      const t = Number(BigInt(b.time_unix_nano) - BigInt(a.time_unix_nano));
      return t !== 0 ? Math.sign(t) : SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity];
    });
    renderKinds(findings);
    const shown = renderRows(findings);
    status.textContent = shown + ' of ' + body.total + ' open findings · updated ' +
        new Date().toLocaleTimeString() + ' (every ' + POLL_MS / 1000 + ' s)';
  } catch (error) {
    showError(status, error);
  }
}

header('/');
refresh();
setInterval(refresh, POLL_MS);
