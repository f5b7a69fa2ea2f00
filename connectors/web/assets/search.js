// /search: the search form (its fields are the URL's query, so a search can
// be linked to) and a paged table of traces, each linking to /trace/<id>.
'use strict';

const FIELDS = ['service', 'level', 'since', 'until', 'text', 'kind', 'page_size'];

function currentQuery() {
  const params = new URLSearchParams(location.search);
  for (const k of [...params.keys()]) if (!params.get(k)) params.delete(k);
  return params;
}

function fillForm(params) {
  const form = document.getElementById('search-form');
  for (const name of FIELDS) {
    if (params.has(name)) form.elements[name].value = params.get(name);
  }
}

function row(t) {
  const ms = Number(BigInt(t.end_unix_nano) - BigInt(t.start_unix_nano)) / 1e6;
  return el('tr', {class: 'trace'},
    el('td', {class: 'mono'}, el('a', {href: '/trace/' + encodeURIComponent(t.trace_id)}, t.trace_id)),
    el('td', {class: 'mono'}, fmtTime(t.start_unix_nano)),
    el('td', {}, fmtOffset(ms).slice(1)),
    el('td', {}, t.events),
    el('td', {}, levelBadge(t.max_level)),
    el('td', {class: 'wide-only'}, t.services.join(', ')),
    el('td', {}, t.finding_kinds.join(', ')),
    el('td', {class: 'wide-only'}, t.route));
}

async function run() {
  const params = currentQuery();
  fillForm(params);
  const status = document.getElementById('status');
  status.textContent = 'Searching…';
  try {
    const body = await api('/api/search?' + params.toString());
    document.querySelector('#results tbody').replaceChildren(...body.traces.map(row));
    const page = params.has('page_token') ? 'a later page' : 'the first page';
    status.textContent = body.matched + ' traces match; ' + body.traces.length + ' shown (' + page + ', newest first).';
    const next = document.getElementById('next-page');
    next.hidden = !body.next_page_token;
    next.onclick = () => {
      params.set('page_token', body.next_page_token);
      history.pushState(null, '', '/search?' + params.toString());
      run();
    };
    const first = document.getElementById('first-page');
    first.hidden = !params.has('page_token');
    first.onclick = () => {
      params.delete('page_token');
      history.pushState(null, '', '/search?' + params.toString());
      run();
    };
  } catch (error) {
    document.querySelector('#results tbody').replaceChildren();
    showError(status, error);
  }
}

header('/search');
document.getElementById('search-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const params = new URLSearchParams(new FormData(e.target));
  for (const k of [...params.keys()]) if (!params.get(k)) params.delete(k);
  history.pushState(null, '', '/search?' + params.toString());
  run();
});
window.addEventListener('popstate', run);
run();
