// Shared by every page of logweave's web page: the API client (with the
// bearer token the server may ask for), formatting and small DOM helpers.
'use strict';

const TOKEN_KEY = 'logweave-token';

// Builds an element: el('a', {href: '/x', class: 'c'}, 'text', child...).
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) {
    if (c === undefined || c === null) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

// Nanoseconds (a JSON string or number) -> Number of milliseconds since the epoch.
function nsToMs(ns) { return Number(BigInt(ns || 0) / 1000000n); }

// "2026-11-23 10:00:04.916Z" (UTC), or '' for 0.
function fmtTime(ns) {
  if (!ns || ns === '0') return '';
  return new Date(nsToMs(ns)).toISOString().replace('T', ' ');
}

// A duration in ms as "+1.234 s" / "+12 ms".
function fmtOffset(ms) {
  if (Math.abs(ms) >= 1000) return '+' + (ms / 1000).toFixed(3) + ' s';
  return '+' + ms.toFixed(ms < 10 ? 2 : 0) + ' ms';
}

// "LEVEL_ERROR" -> "ERROR".
function levelName(level) { return String(level || '').replace('LEVEL_', '').replace('UNSPECIFIED', ''); }

function levelBadge(level) {
  const name = levelName(level);
  return el('span', {class: 'lvl lvl-' + (name || 'NONE')}, name || '-');
}

function severityBadge(severity) { return el('span', {class: 'sev sev-' + severity}, severity); }

// GET /api/...: the parsed JSON; throws an Error with the server's message.
// A 401/403 shows the token form (stored for this browser tab only).
async function api(path) {
  const headers = {};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers['Authorization'] = 'Bearer ' + token;
  const response = await fetch(path, {headers, cache: 'no-store'});
  const text = await response.text();
  let body = null;
  try { body = JSON.parse(text); } catch (e) { body = null; }
  if (!response.ok) {
    if (response.status === 401 || response.status === 403) showTokenForm();
    const message = body && body.error ? body.error : text.trim() || response.statusText;
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return body;
}

// The form asking for the server's token (serve.auth_tokens), once per page.
function showTokenForm() {
  if (document.getElementById('token-form')) return;
  const input = el('input', {type: 'password', id: 'token-input', autocomplete: 'off', 'aria-label': 'API token'});
  const form = el('form', {id: 'token-form', class: 'token'},
    el('label', {for: 'token-input'}, 'This server asks for a token:'), input,
    el('button', {type: 'submit', class: 'primary'}, 'Use token'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, input.value.trim());
    location.reload();
  });
  document.querySelector('main').prepend(form);
  input.focus();
}

function showError(container, error) {
  container.replaceChildren(el('div', {class: 'error-box', role: 'alert'}, error.message || String(error)));
}

// The header's navigation, the current page marked.
function header(current) {
  const links = [['/', 'Findings'], ['/search', 'Search'], ['/rules', 'Rules']];
  const nav = el('nav', {'aria-label': 'Pages'});
  for (const [href, name] of links) {
    nav.append(el('a', {href, 'aria-current': href === current ? 'page' : null}, name));
  }
  document.body.prepend(el('header', {}, el('span', {class: 'brand'}, 'logweave'), nav));
}

// Where a finding leads: its trace, else the rule view of its kind.
function findingLink(f) {
  if (f.trace_id) return '/trace/' + encodeURIComponent(f.trace_id);
  if (['canary_rollback', 'cost_anomaly', 'drift'].includes(f.kind)) return '/rules#' + f.kind;
  return '/search?kind=' + encodeURIComponent(f.kind);
}
