// The leadkit website widget (see README, "Website widget"): scores the visitor in their own
// browser with the slim wasm build of leadkit's rules and engagement, shows a call-to-action or a
// lead form in a Shadow DOM at thresholds, and sends nothing anywhere. Text is set with
// textContent only. Comments are few on purpose: this file counts towards the 60 KB budget.

const me = import.meta.url;
const SESSION_MS = 30 * 60e3;
const MAX_EVENTS = 500;
const FIELDS = ['firstName', 'lastName', 'email', 'phone', 'company', 'title', 'industry', 'country', 'region', 'domain', 'notes', 'employees'];
const UTM = { cpc: 'paid_ads', ppc: 'paid_ads', paid: 'paid_ads', display: 'paid_ads', social: 'social',
  organic: 'organic_search', referral: 'referral', event: 'event', webinar: 'webinar', contest: 'contest' };
// The widget's own event types score by default; a config's engagement.events overrides them.
const OWN_EVENTS = { return_visit: { points: 5, cap: 20 }, time_on_page: { points: 2, cap: 10 },
  scroll_depth: { points: 2, cap: 10 }, form_start: { points: 3, cap: 9 } };
const CSS = `:host{all:initial;position:fixed;z-index:2147483000;right:24px;bottom:24px;--a:#4f46e5}
.c{position:relative;box-sizing:border-box;width:min(360px,calc(100vw - 48px));padding:20px;border:1px solid #e4e6ea;border-radius:12px;background:#fff;color:#1f2328;box-shadow:0 12px 32px rgba(16,24,40,.16);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
h2{margin:0 32px 4px 0;font-size:16px;line-height:1.4;font-weight:600}p{margin:0 0 16px;color:#57606a}
label{display:block;margin:0 0 12px;font-size:13px;font-weight:500}
input,textarea,select{display:block;box-sizing:border-box;width:100%;margin-top:4px;padding:8px 12px;border:1px solid #d0d4da;border-radius:8px;background:#fff;color:inherit;font:inherit}
textarea{min-height:72px;resize:vertical}:focus-visible{outline:2px solid var(--a);outline-offset:1px}
.b{display:block;box-sizing:border-box;width:100%;padding:10px 16px;border:0;border-radius:8px;background:var(--a);color:#fff;font:inherit;font-weight:600;text-align:center;text-decoration:none;cursor:pointer}.b:hover{filter:brightness(1.08)}
.x{position:absolute;top:12px;right:12px;width:28px;height:28px;border:0;border-radius:6px;background:none;color:#57606a;font:20px/1 system-ui,sans-serif;cursor:pointer}.x:hover{background:#f0f2f5}
.n{margin:12px 0 0;font-size:12px;color:#6e7781}
@media (prefers-color-scheme:dark){.c{border-color:#30353c;background:#1c1f24;color:#e6e8eb}p,.n,.x{color:#9aa2ab}.x:hover{background:#2a2f36}input,textarea,select{border-color:#3a4048;background:#111418}}`;

const fail = (message) => console.error(`leadkit: ${message}`);
const isId = (s) => typeof s === 'string' && /^[a-z][a-z0-9_]{0,63}$/.test(s);
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const iso = (ms) => new Date(ms).toISOString();
const emit = (name, detail) => document.dispatchEvent(new CustomEvent(`leadkit:${name}`, { detail }));

async function loadEngine() {
  const res = await fetch(new URL('dist/leadkit-widget.wasm', me));
  if (!res.ok) throw new Error(`cannot load leadkit-widget.wasm (HTTP ${res.status})`);
  const imports = { env: { emscripten_notify_memory_growth() {} },
    wasi_snapshot_preview1: { proc_exit(code) { throw new Error(`the scoring module stopped (${code})`); } } };
  const x = (await WebAssembly.instantiate(await res.arrayBuffer(), imports)).instance.exports;
  x._initialize();
  const enc = new TextEncoder(), dec = new TextDecoder(), held = [];
  const put = (bytes, View) => {
    const at = x.lk_alloc(bytes.length * View.BYTES_PER_ELEMENT);
    new View(x.memory.buffer, at, bytes.length).set(bytes);
    held.push(at);
    return at;
  };
  const str = (s) => put(enc.encode(`${s}\0`), Uint8Array);
  const nums = (a) => put(a, Float64Array);
  const text = (at) => { const m = new Uint8Array(x.memory.buffer); let end = at; while (m[end]) end++; return dec.decode(m.subarray(at, end)); };
  const free = () => held.splice(0).forEach((at) => x.lk_free(at));
  return {
    setModel(rules, events, decay) {
      const types = Object.keys(events);
      const curve = ['none', 'halfLife', 'linear', 'steps'].indexOf(decay.kind);
      const steps = (decay.steps ?? []).flatMap((s) => [s.days, s.factor]);
      const v = (n) => (n === undefined ? NaN : n);
      const rc = x.lk_set_model(str(rules), str(types.join('\n')),
        nums(types.flatMap((t) => [v(events[t].points), v(events[t].cap), v(events[t].repeat)])),
        curve, decay.days ?? 30, nums(steps), steps.length / 2, decay.fullScoreAt ?? 100);
      free();
      return rc === 0 ? null : { message: text(x.lk_error_message()), path: text(x.lk_error_path()),
        line: x.lk_error_line(), column: x.lk_error_column() };
    },
    score(visitor, now) {
      x.lk_visitor(str(visitor.source), visitor.firstSeen);
      for (const e of visitor.events) {
        const keys = Object.keys(e.props ?? {}).filter((k) => isNum(e.props[k]));
        x.lk_event(str(e.type), e.at, str(keys.join('\n')), nums(keys.map((k) => e.props[k])));
      }
      const nRules = x.lk_rule_count();
      const at = x.lk_score(now);  // before reading the buffer: scoring may grow the memory
      const out = new Float64Array(x.memory.buffer, at, 2 + nRules).slice();
      free();
      const rules = [];
      for (let i = 0; i < nRules; i++) rules.push({ label: text(x.lk_rule_label(i)), points: out[2 + i] });
      return { score: out[0], engagement: out[1], rules };
    },
  };
}

function check(c) {
  if (!c || typeof c !== 'object' || Array.isArray(c)) return ['the config must be a JSON object'];
  const bad = [];
  const want = (ok, path, what) => { if (!ok) bad.push(`${path}: expected ${what}`); };
  want(c.rules === undefined || typeof c.rules === 'string', 'rules', 'rule text');
  want(c.site === undefined || isId(c.site), 'site', 'a lower_snake_case site key');
  want([undefined, 'required', 'none'].includes(c.consent), 'consent', '"required" or "none"');
  const eng = c.engagement ?? {};
  for (const [type, e] of Object.entries(eng.events ?? {})) {
    want(isId(type) && e && typeof e === 'object', `engagement.events.${type}`, 'a lower_snake_case type with {points, cap, repeat}');
    for (const k of ['points', 'cap', 'repeat']) want(e?.[k] === undefined || isNum(e[k]), `engagement.events.${type}.${k}`, 'a number');
  }
  const d = eng.decay ?? {};
  want(d.kind === undefined || ['none', 'halfLife', 'linear', 'steps'].includes(d.kind), 'engagement.decay.kind', 'halfLife, linear, steps or none');
  want(d.days === undefined || isNum(d.days), 'engagement.decay.days', 'a number');
  want(d.steps === undefined || (Array.isArray(d.steps) && d.steps.every((s) => isNum(s?.days) && isNum(s?.factor))),
    'engagement.decay.steps', '[{"days", "factor"}, ...]');
  (c.paths ?? []).forEach((p, i) => want(typeof p?.match === 'string' && isId(p.event), `paths[${i}]`, '{"match": "/pricing*", "event": "pricing_view"}'));
  for (const k of ['qualifiedAt', 'timeOnPage', 'scrollDepth']) want(c[k] === undefined || isNum(c[k]), k, 'a number');
  (c.actions ?? []).forEach((a, i) => {
    want(isNum(a?.at) && ['cta', 'form'].includes(a?.type), `actions[${i}]`, '{"at": <score>, "type": "cta" | "form", ...}');
    want(a?.type !== 'cta' || /^(\/|https?:)/.test(a.href ?? ''), `actions[${i}].href`, 'a path or an http(s) address');
    (a?.fields ?? []).forEach((f, j) => want(FIELDS.includes(f?.name) || /^custom\.\w{1,64}$/.test(f?.name),
      `actions[${i}].fields[${j}].name`, `one of ${FIELDS.join(', ')} or custom.<name>`));
  });
  return bad;
}

function channelOf(url, referrer) {
  const medium = (url.searchParams.get('utm_medium') ?? '').toLowerCase();
  const known = Object.keys(UTM).find((k) => medium.includes(k));
  if (known) return UTM[known];
  if (url.searchParams.has('gclid') || url.searchParams.has('msclkid')) return 'paid_ads';
  let host = '';
  try { host = new URL(referrer).hostname; } catch { return medium || url.searchParams.has('utm_source') ? 'referral' : 'unknown'; }
  if (host === location.hostname) return 'unknown';
  if (/(^|\.)(google|bing|duckduckgo|yahoo|ecosia|baidu|yandex)\./.test(host)) return 'organic_search';
  if (/(^|\.)(facebook|linkedin|twitter|x|t|instagram|reddit|youtube|mastodon)\.(com|co|social)$/.test(host)) return 'social';
  return 'referral';
}

async function start(tag) {
  const configUrl = new URL(tag.dataset.config, location.href);
  let config;
  try {
    const res = await fetch(configUrl);
    if (!res.ok) return fail(`cannot load the config ${configUrl.pathname} (HTTP ${res.status}); the widget is off`);
    const body = await res.text();
    try { config = JSON.parse(body); } catch (e) { return fail(`the config ${configUrl.pathname} is not valid JSON: ${e.message}; the widget is off`); }
  } catch (e) { return fail(`cannot load the config ${configUrl.pathname}: ${e.message}`); }
  const problems = check(config);
  if (problems.length) return fail(`bad config ${configUrl.pathname}: ${problems.join('; ')}; the widget is off`);
  const engine = await loadEngine();
  const events = { ...OWN_EVENTS, ...config.engagement?.events };
  const err = engine.setModel(config.rules ?? '', events, { ...config.engagement?.decay, fullScoreAt: config.engagement?.fullScoreAt });
  if (err) {
    return fail(err.line > 0 ? `bad rule in ${configUrl.pathname} at ${err.line}:${err.column}: ${err.message}; the widget is off`
      : `bad config ${configUrl.pathname}: ${err.path}: ${err.message}; the widget is off`);
  }

  // One JSON value per key under leadkit:<site>:, written only with consent.
  const prefix = `leadkit:${config.site ?? location.hostname}:`;
  const store = {
    get(k) { try { return JSON.parse(localStorage.getItem(prefix + k)); } catch { return null; } },
    set(k, v) { if (allowed() && !off) try { localStorage.setItem(prefix + k, JSON.stringify(v)); } catch { /* full or blocked */ } },
  };
  let consent = store.get('consent') === true;
  const allowed = () => config.consent !== 'required' || consent;
  const fresh = () => ({ firstSeen: Date.now(), lastSeen: 0, visits: 0, source: 'unknown', utm: {}, events: [], qualified: false, done: [] });
  let visitor = (allowed() && store.get('visitor')) || fresh();
  let leads = (allowed() && store.get('leads')) || [];
  let last = null, shown = -1, host = null, off = false;  // off: forgotten, so this page tracks no more

  const save = () => { store.set('visitor', visitor); store.set('leads', leads); };
  const track = (type, props = {}) => {
    if (off) return;
    visitor.events.push({ type, at: Date.now(), props });
    visitor.events.splice(0, visitor.events.length - MAX_EVENTS);
    visitor.lastSeen = Date.now();
    save();
    rescore();
  };
  function rescore() {
    last = { ...engine.score(visitor, Date.now()), source: visitor.source, visits: visitor.visits };
    emit('score', last);
    if (!visitor.qualified && last.score >= (config.qualifiedAt ?? 50)) {
      visitor.qualified = true;
      save();
      emit('qualified', { ...last, threshold: config.qualifiedAt ?? 50 });
    }
    const due = (config.actions ?? []).reduce((best, a, i) => (a.at <= last.score && !visitor.done.includes(i) ? i : best), -1);
    if (due > shown) show(due);
  }

  function close(i) {
    if (i >= 0 && !visitor.done.includes(i)) visitor.done.push(i);
    save();
    host?.remove();
    host = null;
  }
  const el = (name, props = {}, ...kids) => { const n = Object.assign(document.createElement(name), props); n.append(...kids); return n; };
  function show(i) {
    const a = config.actions[i];
    shown = i;
    host?.remove();
    host = el('div');
    host.dataset.leadkit = '';
    if (/^#[0-9a-f]{3,8}$/i.test(config.theme?.accent ?? '')) host.style.setProperty('--a', config.theme.accent);
    const root = host.attachShadow({ mode: 'open' });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
    const card = el('div', { className: 'c', role: 'dialog', ariaLabel: a.title ?? 'leadkit' },
      el('button', { className: 'x', type: 'button', ariaLabel: 'Close', textContent: '\u00d7', onclick: () => close(i) }),
      el('h2', { textContent: a.title ?? '' }));
    if (a.text) card.append(el('p', { textContent: a.text }));
    if (a.type === 'cta') {
      card.append(el('a', { className: 'b', href: a.href, textContent: a.button ?? 'Learn more', onclick: () => close(i) }));
    } else {
      const form = el('form');
      for (const f of a.fields ?? [{ name: 'email', label: 'E-mail', type: 'email', required: true }]) {
        const input = el(f.type === 'textarea' ? 'textarea' : f.options ? 'select' : 'input', { name: f.name, required: !!f.required });
        if (f.options) input.append(...f.options.map((o) => el('option', { value: o, textContent: o })));
        else if (f.type !== 'textarea') input.type = ['email', 'tel', 'number'].includes(f.type) ? f.type : 'text';
        if (f.autocomplete) input.autocomplete = f.autocomplete;
        form.append(el('label', { textContent: `${f.label ?? f.name}${f.required ? ' *' : ''}` }, input));
      }
      form.append(el('button', { className: 'b', type: 'submit', textContent: a.button ?? 'Send' }));
      if (a.note) form.append(el('p', { className: 'n', textContent: a.note }));
      form.onsubmit = (ev) => {
        ev.preventDefault();
        if (!form.reportValidity()) return;
        capture(new FormData(form));
        visitor.done.push(i);
        form.replaceWith(el('p', { textContent: a.thanks ?? 'Thank you. We will be in touch.' }));
        track('form_submit', {});
      };
      card.append(form);
    }
    card.onkeydown = (ev) => { if (ev.key === 'Escape') close(i); };
    root.append(card);
    document.body.append(host);
  }

    function capture(data) {
    const lead = { id: `web-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      source: visitor.source === 'unknown' ? 'website_form' : visitor.source, tags: ['website'],
      custom: { widgetScore: last?.score ?? 0, visits: visitor.visits, ...visitor.utm }, createdAt: iso(Date.now()),
      events: visitor.events.map((e) => ({ type: e.type, at: iso(e.at), props: e.props })) };
    for (const [name, raw] of data) {
      const value = String(raw).trim();
      if (!value) continue;
      if (name.startsWith('custom.')) lead.custom[name.slice(7)] = value;
      else lead[name] = name === 'employees' ? Math.round(Number(value)) || undefined : value;
    }
    leads.push(lead);
    save();
    emit('lead', { lead });
  }

  const url = new URL(location.href);
  if (Date.now() - visitor.lastSeen > SESSION_MS) {
    visitor.visits++;
    const source = channelOf(url, document.referrer);
    if (visitor.source === 'unknown' && source !== 'unknown') visitor.source = source;
    for (const k of ['source', 'medium', 'campaign']) {
      const v = url.searchParams.get(`utm_${k}`);
      if (v) visitor.utm[`utm${k[0].toUpperCase()}${k.slice(1)}`] = v.slice(0, 200);
    }
    if (visitor.visits > 1) visitor.events.push({ type: 'return_visit', at: Date.now(), props: { visits: visitor.visits } });
  }
  for (const p of config.paths ?? []) {
    const re = new RegExp(`^${p.match.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
    if (re.test(url.pathname)) visitor.events.push({ type: p.event, at: Date.now(), props: {} });
  }
  track('page_view', {});

  let seconds = 0, deepest = 0;
  const tick = setInterval(() => {
    if (document.visibilityState !== 'visible') return;
    if (++seconds === (config.timeOnPage ?? 30)) { track('time_on_page', { seconds }); clearInterval(tick); }
  }, 1000);
  const onScroll = () => {
    const el = document.documentElement;
    const depth = Math.round(((scrollY + innerHeight) / Math.max(1, el.scrollHeight)) * 100);
    if (depth >= (config.scrollDepth ?? 75) && deepest < (config.scrollDepth ?? 75)) track('scroll_depth', { percent: depth });
    deepest = Math.max(deepest, depth);
  };
  addEventListener('scroll', onScroll, { passive: true });
  const started = new WeakSet();
  document.addEventListener('focusin', (ev) => {
    const form = ev.target.closest?.('form');
    if (form && !started.has(form)) { started.add(form); track('form_start', {}); }
  });
  document.addEventListener('submit', (ev) => { if (ev.target instanceof HTMLFormElement) track('form_submit', {}); });

  return {
    score: () => last,
    track(type, props = {}) { if (!isId(type)) throw new TypeError('an event type is lower_snake_case'); track(type, props); },
    consent(granted) {
      if (!granted) return this.forget();
      consent = true;
      store.set('consent', true);
      save();
    },
    forget() {
      off = true;
      for (const k of Object.keys(localStorage)) if (k.startsWith(prefix)) localStorage.removeItem(k);
      consent = false;
      visitor = fresh();
      leads = [];
      close(-1);
      shown = -1;
    },
    leads: () => structuredClone(leads),
    exportLeads: () => JSON.stringify({ format: 'leadkit-workspace', version: 1, leads }, null, 2),
    downloadLeads(name = 'leadkit-leads.json') {
      const href = URL.createObjectURL(new Blob([this.exportLeads()], { type: 'application/json' }));
      el('a', { href, download: name }).click();
      setTimeout(() => URL.revokeObjectURL(href), 1000);
    },
  };
}

const tag = [...document.querySelectorAll('script[data-config]')].find((s) => s.src === me)
  ?? document.querySelector('script[data-config]');
const ready = tag ? start(tag).catch((e) => fail(e.message)) : Promise.resolve(fail('the script tag needs data-config="/leadkit.json"'));
window.leadkit = { ready };
ready.then((api) => {
  if (!api) return;
  window.leadkit = Object.assign(api, { ready });
  emit('ready', api.score());
});
