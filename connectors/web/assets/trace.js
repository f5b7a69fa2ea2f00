// /trace/<id>: the trace's waterfall (a lane per service on a shared time
// axis, empty lanes for the services it lacks), its findings, the plain-text
// errors attributed to it, and its events, each expanding to its line.
'use strict';

const traceId = decodeURIComponent(location.pathname.slice('/trace/'.length));

// Offsets in ms from the trace's start.
function offsetMs(ns, startNs) { return Number(BigInt(ns) - BigInt(startNs)) / 1e6; }

function toggle(index) {
  const row = document.getElementById('event-' + index);
  const detail = document.getElementById('event-detail-' + index);
  const open = detail.hidden;
  detail.hidden = !open;
  row.classList.toggle('selected', open);
  row.querySelector('button.expand').setAttribute('aria-expanded', String(open));
  return row;
}

function eventRows(events, startNs) {
  const rows = [];
  events.forEach((e, i) => {
    const button = el('button', {type: 'button', class: 'expand', 'aria-expanded': 'false',
      'aria-controls': 'event-detail-' + i, 'aria-label': 'Show the line of event ' + (i + 1),
      onclick: (ev) => { ev.stopPropagation(); toggle(i); }}, '▸');
    rows.push(el('tr', {class: 'event', id: 'event-' + i, 'data-service': e.service, onclick: () => toggle(i)},
      el('td', {}, button),
      el('td', {class: 'offset mono'}, fmtOffset(offsetMs(e.time_unix_nano, startNs)) + (e.time_inferred ? ' ~' : '')),
      el('td', {}, e.service),
      el('td', {}, levelBadge(e.level)),
      el('td', {class: 'message'}, e.message)));
    const detail = el('tr', {class: 'detail', id: 'event-detail-' + i, hidden: true},
      el('td', {colspan: '5'},
        el('div', {class: 'muted'}, e.source + ':' + e.line + ' (byte ' + e.offset + ') · ' + fmtTime(e.time_unix_nano) +
          (e.time_inferred ? ' · time inferred from its neighbours' : '') + (e.structured ? '' : ' · plain text')),
        el('pre', {}, e.raw || e.message)));
    rows.push(detail);
  });
  return rows;
}

// The lanes: every service of the trace, then the missing ones (empty, with the reason).
function waterfall(t, startNs, spanMs) {
  const box = document.getElementById('waterfall');
  const pos = (ns) => Math.min(100, Math.max(0, offsetMs(ns, startNs) / spanMs * 100));
  const axis = el('div', {class: 'axis', 'aria-hidden': 'true'});
  for (let k = 0; k <= 4; k++) {
    const label = el('span', {}, fmtOffset(spanMs * k / 4));
    label.style.left = (k * 25) + '%';
    // The first and last labels stay inside the axis.
    if (k === 0) label.style.transform = 'none';
    if (k === 4) label.style.transform = 'translateX(-100%)';
    axis.append(label);
  }
  const lanes = [axis];
  for (const service of t.services) {
    const track = el('div', {class: 'lane-track'});
    t.events.forEach((e, i) => {
      if (e.service !== service) return;
      const dot = el('button', {type: 'button', class: 'dot lvl-' + levelName(e.level) + (e.structured ? '' : ' plain'),
        title: fmtOffset(offsetMs(e.time_unix_nano, startNs)) + ' ' + levelName(e.level) + ' ' + e.message,
        'aria-label': service + ' ' + fmtOffset(offsetMs(e.time_unix_nano, startNs)) + ' ' + levelName(e.level) + ': ' + e.message,
        onclick: () => { const row = toggle(i); row.scrollIntoView({block: 'center'}); row.querySelector('button').focus(); }});
      dot.style.left = pos(e.time_unix_nano) + '%';
      track.append(dot);
    });
    for (const u of t.unstructured) {
      if (u.service !== service) continue;
      const mark = el('span', {class: 'dot plain lvl-ERROR', title: 'plain-text error (confidence ' + u.confidence.toFixed(2) + '): ' + u.text});
      mark.style.left = pos(u.time_unix_nano) + '%';
      track.append(mark);
    }
    lanes.push(el('div', {class: 'lane', 'data-service': service}, el('div', {class: 'lane-name'}, service), track));
  }
  for (const m of t.missing_services) {
    const reason = m.cause === 'not_reached' ? 'missing: the call never reached it'
      : m.cause === 'down' ? 'missing: it logged nothing at all meanwhile (down?)'
      : 'missing' + (m.cause ? ': ' + m.cause : '');
    lanes.push(el('div', {class: 'lane missing', 'data-service': m.service, 'data-cause': m.cause},
      el('div', {class: 'lane-name'}, m.service),
      el('div', {class: 'lane-track', title: m.summary}, el('span', {class: 'lane-reason'}, reason))));
  }
  box.replaceChildren(...lanes);
}

function findingCard(f) {
  const details = el('dl', {class: 'muted'});
  for (const [k, v] of Object.entries(f.details).sort()) details.append(el('dt', {}, k), el('dd', {class: 'mono'}, v));
  return el('article', {class: 'card finding', 'data-kind': f.kind},
    el('h3', {}, severityBadge(f.severity), ' ', f.kind, f.resolved ? ' (resolved)' : ''),
    el('p', {}, f.summary),
    el('details', {}, el('summary', {}, 'details and evidence'), details,
      ...f.evidence.map((ev) => el('pre', {}, ev.source + ':' + ev.line + '  ' + ev.text))));
}

function unstructuredRow(u) {
  return el('tr', {class: 'unstructured'},
    el('td', {class: 'mono'}, fmtTime(u.time_unix_nano)),
    el('td', {}, u.service),
    el('td', {}, u.confidence.toFixed(2)),
    el('td', {class: 'mono'}, u.source + ':' + u.line),
    el('td', {}, el('pre', {}, u.text)));
}

async function load() {
  header('');
  document.getElementById('title').textContent = 'Trace ' + traceId;
  document.title = 'logweave: trace ' + traceId;
  const status = document.getElementById('status');
  try {
    const t = await api('/api/trace/' + encodeURIComponent(traceId));
    const startNs = t.start_unix_nano;
    let endNs = BigInt(t.end_unix_nano);
    for (const u of t.unstructured) if (BigInt(u.time_unix_nano) > endNs) endNs = BigInt(u.time_unix_nano);
    const spanMs = Math.max(1, Number(endNs - BigInt(startNs)) / 1e6);
    status.textContent = t.events.length + ' events from ' + t.services.length + ' services, ' +
      fmtTime(startNs) + ' to ' + fmtTime(t.end_unix_nano) + ' (' + fmtOffset(offsetMs(t.end_unix_nano, startNs)).slice(1) + ')' +
      (t.evicted_events ? '; ' + t.evicted_events + ' events no longer held' : '') + '.';
    waterfall(t, startNs, spanMs);
    document.getElementById('waterfall-section').hidden = false;
    document.getElementById('findings').replaceChildren(...t.findings.map(findingCard));
    document.getElementById('findings-section').hidden = t.findings.length === 0;
    document.querySelector('#unstructured tbody').replaceChildren(...t.unstructured.map(unstructuredRow));
    document.getElementById('unstructured-section').hidden = t.unstructured.length === 0;
    document.querySelector('#events tbody').replaceChildren(...eventRows(t.events, startNs));
    document.getElementById('events-section').hidden = false;
  } catch (error) {
    showError(status, error);
  }
}

load();
