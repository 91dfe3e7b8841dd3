// Import wizard: pick or drop a CSV, check the suggested mapping against sample values, map the
// source values the workspace does not know to channels (remembered for the next import), see a
// dry run's validation report (rejected rows, and warnings for cells left empty), import with
// progress, and read the result. The File goes to the worker as is (structured clone) and is
// streamed there; nothing is stored until the whole file is read. On every step Enter confirms
// the primary action (a button or link keeps its own Enter).
import * as Comlink from '../../vendor/comlink.mjs';
import { button, describeError, download, el, number, pageHeader, stateBox } from '../ui.js';

export const title = 'Import';

// Step keys and labels; "sources" is shown only when the file has source values to map.
const STEPS = [['pick', 'Choose file'], ['map', 'Map columns'], ['sources', 'Map sources'], ['check', 'Check'], ['import', 'Import'], ['done', 'Done']];
const DIRECTION_GROUPS = [['inbound', 'Inbound: lead generation'], ['outbound', 'Outbound: prospecting'], ['unknown', 'Unknown direction']];
const SHOWN_PROBLEMS = 50;
const PRESETS = [['', 'Detect from headers'], ['hubspot', 'HubSpot export'], ['salesforce', 'Salesforce export'], ['pipedrive', 'Pipedrive export'], ['linkedin', 'LinkedIn export'], ['basic', 'Basic (name, e-mail, company)']];
const FIELD_GROUPS = [
  ['Person', [['firstName', 'First name'], ['lastName', 'Last name'], ['fullName', 'Full name'], ['email', 'E-mail'], ['phone', 'Phone'], ['title', 'Job title']]],
  ['Company', [['company', 'Company'], ['industry', 'Industry'], ['employees', 'Employees'], ['annualRevenue', 'Annual revenue'], ['domain', 'Website / domain'], ['country', 'Country'], ['region', 'Region']]],
  ['Pipeline', [['source', 'Source channel'], ['stage', 'Stage'], ['dealValue', 'Deal value'], ['currency', 'Currency'], ['tags', 'Tags'], ['notes', 'Notes'], ['createdAt', 'Created date']]],
  ['BANT', [['bant.budget', 'Budget'], ['bant.authority', 'Authority'], ['bant.need', 'Need'], ['bant.timeline', 'Timeline']]],
];
const FIELD_LABEL = Object.fromEntries(FIELD_GROUPS.flatMap(([, f]) => f));
const DUPLICATES = [
  ['update', 'Update the existing lead', 'Fills in the row’s non-empty cells; keeps events, history and the created date'],
  ['skip', 'Skip the row', 'Leaves the stored lead as it is'],
  ['create', 'Create a new lead', 'Adds it alongside; you can merge duplicates later'],
];
const MAX_BYTES = 512 * 1024 * 1024;
const NOT_CSV = /\.(xlsx|xlsm|xls|numbers|ods|pdf|docx?|zip|json|png|jpe?g)$/i;

/** The custom field key the engine would give a header: "Lead Score (HubSpot)" → leadScoreHubspot. */
function customKey(header) {
  const words = String(header).normalize('NFKD').replace(/[^\p{L}\p{N}]+/gu, ' ').trim().split(' ').filter(Boolean);
  const key = words.map((w, i) => (i ? w[0].toUpperCase() + w.slice(1).toLowerCase() : w.toLowerCase())).join('');
  return key || 'column';
}

/** Up to `limit` records of a CSV sample (quotes respected), for showing sample values only. */
function sampleRows(text, limit = 6) {
  const firstLine = text.slice(0, text.search(/\r|\n|$/));
  const delimiter = [',', ';', '\t'].map((d) => [d, firstLine.split(d).length]).sort((a, b) => b[1] - a[1])[0][0];
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length && rows.length <= limit; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === delimiter) { row.push(cell); cell = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); cell = '';
      if (row.some((v) => v !== '')) rows.push(row);
      row = [];
    } else cell += c;
  }
  if (cell !== '' || row.length) { row.push(cell); if (row.some((v) => v !== '')) rows.push(row); }
  return rows.slice(1);  // without the header
}

const sizeText = (bytes) => (bytes < 1024 ? `${bytes} bytes` : bytes < 1048576 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1048576).toFixed(1)} MB`);
const plural = (n, one, many = `${one}s`) => `${number(n)} ${n === 1 ? one : many}`;

/** "Import 191 new leads and update 5", as the report counts them: updates are not new leads. */
function importLabel(imported, updated) {
  if (!updated) return `Import ${plural(imported, 'new lead')}`;
  if (!imported) return `Update ${plural(updated, 'lead')}`;
  return `Import ${plural(imported, 'new lead')} and update ${number(updated)}`;
}

export async function mount(root, ctx) {
  const { worker } = ctx;
  const state = {
    step: 'pick', file: null, samples: [], suggestion: null, preset: '', columns: [], onDuplicate: 'update', strict: false,
    report: null, result: null, busy: false,
    // The value step: the source values the workspace does not know, the channels to pick from
    // (from the engine), and the choice per value.
    sourceValues: [], channels: [], sourceChoice: new Map(), sourceError: null, askedSources: false,
  };
  let disposed = false;

  const stepper = el('ol', { class: 'import-steps', 'aria-label': 'Import steps' });
  const body = el('div', { class: 'import-body' });
  root.append(pageHeader('Import leads', `From a CSV file into ${ctx.workspace?.name ?? 'this workspace'}. Nothing is stored until you confirm.`), stepper, body);

  const VIEWS = { pick: pickStep, map: mapStep, sources: sourcesStep, check: checkStep, import: importStep, done: doneStep };
  function paint() {
    const steps = STEPS.filter(([key]) => key !== 'sources' || state.askedSources);
    const at = steps.findIndex(([key]) => key === state.step);
    stepper.replaceChildren(...steps.map(([, label], i) => el('li', {
      class: i < at ? 'is-done' : i === at ? 'is-current' : '',
      'aria-current': i === at ? 'step' : null,
    }, el('span', { class: 'import-step-num', 'aria-hidden': 'true' }, i < at ? '✓' : String(i + 1)), el('span', {}, label))));
    body.replaceChildren(...VIEWS[state.step]().filter(Boolean));
  }
  const go = (step) => { state.step = step; paint(); body.querySelector('h2')?.focus?.(); };
  const heading = (text) => el('h2', { tabindex: '-1', class: 'import-heading' }, text);

  // Enter confirms the step's primary action (the button marked data-primary), wherever the focus
  // is on the step: a select, a radio, the heading. Buttons, links and text areas keep their own Enter.
  body.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || e.defaultPrevented || e.isComposing || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    if (e.target.closest?.('button, a, textarea, summary, [contenteditable="true"]')) return;
    const primary = body.querySelector('[data-primary]');
    if (!primary || primary.disabled) return;
    e.preventDefault();
    primary.click();
  });

  // ---- 1. pick or drop ----
  let pickError = null;
  function pickStep() {
    const input = el('input', { type: 'file', id: 'import-file', class: 'visually-hidden', accept: '.csv,.tsv,.txt,text/csv,text/plain', tabindex: '-1', 'aria-label': 'CSV file' });
    input.addEventListener('change', () => { if (input.files[0]) choose(input.files[0]); });
    const zone = el('div', { class: 'import-drop', id: 'import-drop' },
      el('div', { class: 'import-drop-icon', 'aria-hidden': 'true' }, '⇪'),
      el('p', { class: 'import-drop-title' }, state.busy ? 'Reading the file…' : 'Drop a CSV file here'),
      el('p', { class: 'muted' }, 'Exports from HubSpot, Salesforce, Pipedrive and LinkedIn are recognised; any CSV with a header row works. Comma, semicolon or tab separated, UTF-8.'),
      button('Choose a CSV file', () => input.click(), { kind: 'primary', id: 'import-choose', disabled: state.busy, 'data-primary': '' }),
      input);
    zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('is-over'); });
    zone.addEventListener('dragleave', () => zone.classList.remove('is-over'));
    zone.addEventListener('drop', (e) => {
      e.preventDefault();
      zone.classList.remove('is-over');
      const file = e.dataTransfer?.files?.[0];
      if (file) choose(file);
    });
    return [
      heading('Choose a file'),
      zone,
      pickError ? el('div', { class: 'import-error', role: 'alert', id: 'import-error' }, el('strong', {}, pickError.title), el('p', {}, pickError.body), el('p', { class: 'muted' }, 'Nothing was imported; your leads are unchanged.')) : null,
      el('p', { class: 'muted import-hint' }, 'Need a starting point? ',
        el('button', { type: 'button', class: 'link', onclick: () => download('leadkit-import-template.csv', 'First name,Last name,Email,Company,Job title,Industry,Employees,Country,Source,Deal value\r\n', 'text/csv') }, 'Download a template'),
        '. Rows are checked before anything is stored, and an import lands whole or not at all.'),
    ];
  }

  async function choose(file) {
    pickError = null;
    if (NOT_CSV.test(file.name)) {
      pickError = { title: `“${file.name}” is not a CSV file`, body: /\.(xlsx|xlsm|xls|numbers|ods)$/i.test(file.name) ? 'It is a spreadsheet workbook. Open it and save it as “CSV UTF-8 (comma delimited)”, then choose that file.' : 'Choose a .csv file exported from a spreadsheet or a CRM.' };
      paint();
      return;
    }
    if (file.size === 0) { pickError = { title: `“${file.name}” is empty`, body: 'The file has no bytes. Export it again, with a header row and at least one lead.' }; paint(); return; }
    if (file.size > MAX_BYTES) { pickError = { title: `“${file.name}” is too large (${sizeText(file.size)})`, body: `Files up to ${sizeText(MAX_BYTES)} can be imported in a browser. Split it into parts and import them one after another.` }; paint(); return; }
    state.busy = true;
    paint();
    try {
      const [suggestion, sample] = await Promise.all([
        worker.read('suggestMapping', file, state.preset ? { preset: state.preset } : {}),
        file.slice(0, 65536).text(),
      ]);
      if (disposed) return;
      state.file = file;
      state.samples = sampleRows(sample);
      applySuggestion(suggestion);
      state.busy = false;
      state.askedSources = false;
      go('map');
    } catch (error) {
      state.busy = false;
      pickError = { title: `“${file.name}” cannot be read as CSV`, body: describeError(error) };
      paint();
    }
  }

  function applySuggestion(suggestion) {
    state.suggestion = suggestion;
    state.columns = suggestion.columns.map((c, i) => ({ header: c.header, field: c.field ?? '', suggested: c.field ?? '', index: i }));
  }

  // ---- 2. mapping ----
  function mappingProblem() {
    const used = new Map();
    for (const c of state.columns) {
      if (!c.field) continue;
      if (used.has(c.field)) return { field: c.field, message: `${FIELD_LABEL[c.field] ?? c.field} is mapped from two columns, “${used.get(c.field)}” and “${c.header}”; each field takes one column.` };
      used.set(c.field, c.header);
    }
    if (!['email', 'firstName', 'lastName', 'fullName', 'company'].some((f) => used.has(f))) return { message: 'Map at least one column to an e-mail, a name or a company: without one no row can become a lead.' };
    return null;
  }

  function fieldSelect(column) {
    const custom = `custom.${customKey(column.header)}`;
    const known = new Set([...Object.keys(FIELD_LABEL), custom, '']);
    const extra = column.suggested && !known.has(column.suggested) ? column.suggested : null;
    const select = el('select', { class: 'input', 'aria-label': `Lead field for column “${column.header}”`, dataset: { header: column.header } },
      el('option', { value: '', selected: column.field === '' }, 'Skip this column'),
      ...FIELD_GROUPS.map(([group, fields]) => el('optgroup', { label: group }, ...fields.map(([v, l]) => el('option', { value: v, selected: column.field === v }, l)))),
      el('optgroup', { label: 'Other' },
        el('option', { value: custom, selected: column.field === custom }, `Custom field “${customKey(column.header)}”`),
        extra ? el('option', { value: extra, selected: column.field === extra }, extra) : null));
    select.addEventListener('change', () => { column.field = select.value; paintMappingState(); });
    return select;
  }

  let mappingNote = null;
  function paintMappingState() {
    if (!mappingNote) return;
    const problem = mappingProblem();
    for (const s of body.querySelectorAll('select[data-header]')) {
      const c = state.columns.find((x) => x.header === s.dataset.header);
      s.setAttribute('aria-invalid', String(Boolean(problem?.field && c?.field === problem.field)));
    }
    mappingNote.replaceChildren(problem ? el('p', { role: 'alert' }, problem.message) : '');
    mappingNote.classList.toggle('is-shown', Boolean(problem));
    body.querySelector('#import-check').disabled = Boolean(problem);
  }

  function mapStep() {
    const presetSelect = el('select', { class: 'input', id: 'import-preset', 'aria-label': 'Export format' },
      ...PRESETS.map(([v, l]) => el('option', { value: v, selected: state.preset === v }, l)));
    presetSelect.addEventListener('change', async () => {
      state.preset = presetSelect.value;
      try {
        applySuggestion(await worker.read('suggestMapping', state.file, state.preset ? { preset: state.preset } : {}));
        paint();
      } catch (error) {
        mappingNote.replaceChildren(el('p', { role: 'alert' }, describeError(error)));
        mappingNote.classList.add('is-shown');
      }
    });
    const rows = state.columns.map((c) => {
      const values = state.samples.map((r) => r[c.index] ?? '').filter((v) => v.trim() !== '').slice(0, 3);
      return el('tr', {},
        el('th', { scope: 'row' }, el('span', { class: 'import-header' }, c.header || `(column ${c.index + 1} has no header)`)),
        el('td', { class: 'import-samples' }, values.length ? values.map((v) => el('span', { class: 'import-sample', title: v }, v)) : el('span', { class: 'muted' }, 'empty in the first rows')),
        el('td', {}, fieldSelect(c)),
        el('td', { class: 'import-auto' }, c.field && c.field === c.suggested ? el('span', { class: 'muted' }, 'suggested') : null));
    });
    const dupes = el('fieldset', { class: 'import-dupes' }, el('legend', {}, 'When a row matches a stored lead (same id or e-mail)'),
      ...DUPLICATES.map(([v, label, hint]) => {
        const radio = el('input', { type: 'radio', name: 'import-dup', value: v, checked: state.onDuplicate === v });
        radio.addEventListener('change', () => { state.onDuplicate = v; });
        return el('label', { class: 'import-radio' }, radio, el('span', {}, el('strong', {}, label), el('span', { class: 'muted' }, hint)));
      }));
    const strictBox = el('input', { type: 'checkbox', id: 'import-strict', checked: state.strict });
    strictBox.addEventListener('change', () => { state.strict = strictBox.checked; });
    const strict = el('fieldset', { class: 'import-dupes' }, el('legend', {}, 'When a cell cannot be read (employees “approx 200”, a date in the future)'),
      el('label', { class: 'import-radio' }, strictBox, el('span', {}, el('strong', {}, 'Reject the whole row'),
        el('span', { class: 'muted' }, 'Off: the lead is imported with that field empty, and the report lists a warning with the row and column. A row with no e-mail, name or company is always rejected.'))));
    mappingNote = el('div', { class: 'import-error', id: 'mapping-problem' });
    const notes = state.suggestion?.notes ?? [];
    const result = [
      heading('Map columns to lead fields'),
      el('div', { class: 'import-filebar card' },
        el('div', {}, el('strong', {}, state.file.name), el('span', { class: 'muted' }, ` · ${sizeText(state.file.size)} · ${plural(state.columns.length, 'column')}`)),
        el('label', { class: 'import-inline' }, el('span', {}, 'Format'), presetSelect),
        state.suggestion?.preset ? el('span', { class: 'badge' }, `Recognised: ${PRESETS.find(([k]) => k === state.suggestion.preset)?.[1] ?? state.suggestion.preset}`) : null),
      notes.length ? el('ul', { class: 'import-notes' }, ...notes.map((n) => el('li', {}, n))) : null,
      el('div', { class: 'card import-table-card' }, el('table', { class: 'import-table', id: 'import-mapping' },
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Column in the file'), el('th', { scope: 'col' }, 'Sample values'), el('th', { scope: 'col' }, 'Lead field'), el('th', { scope: 'col' }, el('span', { class: 'visually-hidden' }, 'Suggested')))),
        el('tbody', {}, ...rows))),
      dupes,
      strict,
      mappingNote,
      el('div', { class: 'import-actions' },
        button('Back', () => { state.file = null; go('pick'); }),
        button('Check the file', dryRun, { kind: 'primary', id: 'import-check', 'data-primary': '' })),
    ];
    queueMicrotask(paintMappingState);
    return result;
  }

  const options = () => ({
    mapping: { columns: Object.fromEntries(state.columns.map((c) => [c.header, c.field || null])) },
    onDuplicate: state.onDuplicate,
    ...(state.strict ? { strict: true } : {}),
    ...(state.preset ? { preset: state.preset } : {}),
  });

  // ---- 3. dry run; source values to map; validation report ----
  let progress = null;
  async function dryRun() {
    if (mappingProblem()) { paintMappingState(); return; }
    state.report = null;
    state.checkError = null;
    go('check');
    try {
      state.report = await worker.importCsv(state.file, { ...options(), dryRun: true }, Comlink.proxy(onProgress));
      // Values of the source column no channel stands for: the user maps them first.
      const unknown = (state.report.sources ?? []).filter((v) => v.channel == null);
      if (unknown.length) {
        state.channels = await worker.read('getChannels');
        state.sourceValues = unknown;
        state.sourceError = null;
        state.askedSources = true;
        if (!disposed) go('sources');
        return;
      }
    } catch (error) {
      state.checkError = error;
    }
    if (!disposed) paint();
  }

  /** What a value is mapped to by default: the engine's suggestion, else Unknown. */
  function defaultChoice(v) {
    const s = v.suggestion;
    if (!s) return 'unknown';
    return state.channels.some((c) => c.name === s.channel) ? s.channel : `new:${s.direction}:${s.channel}`;
  }
  const sourceColumn = () => state.columns.find((c) => c.field === 'source')?.header;

  function channelSelect(v) {
    const chosen = state.sourceChoice.get(v.value) ?? defaultChoice(v);
    const option = (value, label) => el('option', { value, selected: chosen === value }, label);
    const groups = DIRECTION_GROUPS.map(([direction, label]) => {
      const channels = state.channels.filter((c) => c.direction === direction);
      return channels.length ? el('optgroup', { label }, ...channels.map((c) => option(c.name, c.label))) : null;
    });
    // A channel of its own for the value, named as the engine would name it.
    const own = v.newChannel && !state.channels.some((c) => c.name === v.newChannel)
      ? el('optgroup', { label: `A new channel “${v.newChannel}”` },
        option(`new:inbound:${v.newChannel}`, `New inbound channel for “${v.value}”`),
        option(`new:outbound:${v.newChannel}`, `New outbound channel for “${v.value}”`))
      : null;
    const suggested = v.suggestion && !state.channels.some((c) => c.name === v.suggestion.channel) && v.suggestion.channel !== v.newChannel
      ? el('optgroup', { label: 'Suggested' }, option(`new:${v.suggestion.direction}:${v.suggestion.channel}`, `New ${v.suggestion.direction} channel “${v.suggestion.channel}”`))
      : null;
    const select = el('select', { class: 'input', 'aria-label': `Channel for the source “${v.value}”`, dataset: { value: v.value } },
      suggested, own, ...groups.filter(Boolean));
    select.value = chosen;
    if (!select.value) select.value = 'unknown';  // a channel chosen before that is gone
    state.sourceChoice.set(v.value, select.value);
    select.addEventListener('change', () => state.sourceChoice.set(v.value, select.value));
    return select;
  }

  function sourcesStep() {
    const rows = state.sourceValues.map((v) => el('tr', {},
      el('th', { scope: 'row' }, el('span', { class: 'import-header' }, v.value)),
      el('td', { class: 'num' }, number(v.rows)),
      el('td', {}, channelSelect(v))));
    const total = state.sourceValues.reduce((n, v) => n + v.rows, 0);
    const column = sourceColumn();
    return [
      heading('Map source values to channels'),
      el('p', { class: 'muted' }, `${plural(total, 'row')} of ${state.file.name} ${total === 1 ? 'has' : 'have'} a source${column ? ` in “${column}”` : ''} that is not a channel of this workspace. Choose what each value stands for; the choice is kept in this workspace, so the next import reads it the same way. Unknown leaves those leads without a direction and keeps the value in the lead as originalSource.`),
      el('div', { class: 'card import-table-card' }, el('table', { class: 'import-table', id: 'import-sources' },
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Source value'), el('th', { scope: 'col', class: 'num' }, 'Rows'), el('th', { scope: 'col' }, 'Channel'))),
        el('tbody', {}, ...rows))),
      state.sourceError ? el('div', { class: 'import-error is-shown', role: 'alert', id: 'import-sources-error' }, el('strong', {}, describeError(state.sourceError))) : null,
      el('div', { class: 'import-actions' },
        button('Back to mapping', () => go('map')),
        button('Save and check the file', saveSources, { kind: 'primary', id: 'import-sources-save', 'data-primary': '' })),
    ];
  }

  /** Saves each value's channel in the workspace's channel map, then checks the file again. */
  async function saveSources() {
    const doc = {};
    for (const v of state.sourceValues) {
      const choice = state.sourceChoice.get(v.value) ?? defaultChoice(v);
      const [, direction, name] = choice.startsWith('new:') ? choice.split(':') : [null, null, choice];
      doc[name] ??= direction ? { direction, values: [] } : { values: [] };
      doc[name].values.push(v.value);
    }
    try {
      await worker.setChannels(doc);
    } catch (error) {
      state.sourceError = error;
      if (!disposed) paint();
      return;
    }
    state.sourceChoice.clear();
    await dryRun();
  }
  function onProgress(p) {
    if (!progress || disposed) return;
    if (p.saving) {
      progress.bar.removeAttribute('value');
      progress.label.textContent = 'Saving to this browser’s storage…';
      return;
    }
    const fraction = p.rowsTotal ? p.rowsDone / p.rowsTotal : p.bytesTotal ? p.bytesDone / p.bytesTotal : null;
    if (fraction != null) progress.bar.value = Math.min(1, fraction);
    progress.label.textContent = `${number(p.rowsDone)}${p.rowsTotal ? ` of ${number(p.rowsTotal)}` : ''} rows · ${sizeText(p.bytesDone)}${p.bytesTotal ? ` of ${sizeText(p.bytesTotal)}` : ''}`;
  }
  function progressBox(label) {
    const bar = el('progress', { class: 'import-progress', max: '1', id: 'import-progress', 'aria-label': label });
    const text = el('p', { class: 'muted', 'aria-live': 'polite' }, 'Starting…');
    progress = { bar, label: text };
    return el('div', { class: 'card import-progress-card' }, el('strong', {}, label), bar, text);
  }

  function checkStep() {
    const r = state.report;
    if (!r && !state.checkError) return [heading('Checking every row'), progressBox('Reading the file (nothing is stored)')];
    if (state.checkError) {
      return [heading('The file could not be checked'),
        el('div', { class: 'import-error is-shown', role: 'alert', id: 'import-error' }, el('strong', {}, describeError(state.checkError)), el('p', { class: 'muted' }, 'Nothing was imported; your leads are unchanged. Fix the file or the mapping and check again.')),
        el('div', { class: 'import-actions' }, button('Back to mapping', () => go('map')), button('Choose another file', () => go('pick')))];
    }
    const willStore = r.imported + r.updated;
    const shown = r.rejected.slice(0, SHOWN_PROBLEMS);
    return [
      heading('Validation report'),
      el('dl', { class: 'import-stats', id: 'import-report' },
        tile('Rows read', r.rows), tile('New leads', r.imported, 'good'), tile('Updates', r.updated, 'info'),
        tile('Skipped', r.skipped), tile('Rejected rows', r.rejectedRows, r.rejectedRows ? 'bad' : ''),
        tile('Rows with warnings', r.warnedRows ?? 0, r.warnedRows ? 'warn' : ''), tile('Duplicates', r.duplicates, r.duplicates ? 'warn' : '')),
      warningsCard(r, 'import-warnings'),
      r.rejected.length ? el('div', { class: 'card import-table-card' },
        el('div', { class: 'import-card-head' },
          el('h3', {}, `Problems (${number(r.rejected.length)} in ${plural(r.rejectedRows, 'row')}; those rows will not be imported)`),
          r.rejectedCsv ? button('Download rejected rows', () => download(`${state.file.name.replace(/\.[^.]+$/, '')}-rejected.csv`, r.rejectedCsv, 'text/csv'), { class: 'btn btn-secondary btn-small', id: 'import-rejected' }) : null),
        el('table', { class: 'import-table', id: 'import-rejected-table' },
          el('thead', {}, el('tr', {}, el('th', { scope: 'col', class: 'num' }, 'Row'), el('th', { scope: 'col' }, 'Column'), el('th', { scope: 'col' }, 'Reason'))),
          el('tbody', {}, ...shown.map((x) => el('tr', {}, el('td', { class: 'num' }, String(x.row)), el('td', {}, x.column || el('span', { class: 'muted' }, 'whole row')), el('td', {}, x.reason))))),
        r.rejected.length > shown.length ? el('p', { class: 'muted import-more' }, `and ${number(r.rejected.length - shown.length)} more problems: download the rejected rows to see them all, with the reason in a column.`) : null,
        el('p', { class: 'muted import-more' }, 'Fix them in a spreadsheet and import the downloaded file again; its “leadkit error” column is ignored on the way back in.'))
        : el('p', { class: 'import-ok' }, 'Every row can be imported.'),
      r.duplicateRows.length ? el('details', { class: 'card import-dup-list' },
        el('summary', {}, `${plural(r.duplicates, 'row')} ${r.duplicates === 1 ? 'matches' : 'match'} a stored lead or an earlier row — ${({ update: 'they will update it', skip: 'they will be skipped', create: 'they will become new leads' })[state.onDuplicate]}`),
        el('ul', {}, ...r.duplicateRows.slice(0, 30).map((d) => el('li', {}, `Row ${d.row}: same ${d.matchedBy === 'id' ? 'id' : 'e-mail'} as `,
          d.earlierRow ? `row ${d.earlierRow}` : el('a', { href: `#/lead/${encodeURIComponent(d.id)}` }, d.id ?? 'a stored lead')))),
        r.duplicateRows.length > 30 ? el('p', { class: 'muted' }, `and ${number(r.duplicateRows.length - 30)} more`) : null) : null,
      el('div', { class: 'import-actions' },
        button('Back to mapping', () => go('map')),
        willStore
          ? button(importLabel(r.imported, r.updated), runImport, { kind: 'primary', id: 'import-run', 'data-primary': '' })
          : el('span', { class: 'muted' }, 'Nothing in this file can be imported.')),
    ];
  }
  const tile = (label, value, tone = '') => el('div', { class: `import-stat ${tone ? 'tone-' + tone : ''}` }, el('dt', {}, label), el('dd', {}, number(value)));

  /** The cells left empty, by row and column (as text), apart from the rejected rows. */
  function warningsCard(r, id) {
    const warnings = r.warnings ?? [];
    if (!warnings.length) return null;
    const count = r.warningCount ?? warnings.length;
    const shown = warnings.slice(0, SHOWN_PROBLEMS);
    return el('div', { class: 'card import-table-card' },
      el('div', { class: 'import-card-head' },
        el('h3', {}, `Warnings (${plural(count, 'cell')} in ${plural(r.warnedRows, 'row')}; those rows are imported with the field empty)`)),
      el('table', { class: 'import-table', id }, el('caption', { class: 'visually-hidden' }, 'Cells that could not be read'),
        el('thead', {}, el('tr', {}, el('th', { scope: 'col', class: 'num' }, 'Row'), el('th', { scope: 'col' }, 'Column'), el('th', { scope: 'col' }, 'Left empty'), el('th', { scope: 'col' }, 'Why'))),
        el('tbody', {}, ...shown.map((w) => el('tr', {}, el('td', { class: 'num' }, String(w.row)), el('td', {}, w.column || el('span', { class: 'muted' }, 'whole row')),
          el('td', {}, FIELD_LABEL[w.field] ?? w.field), el('td', {}, w.message))))),
      count > shown.length ? el('p', { class: 'muted import-more' }, `and ${number(count - shown.length)} more warnings.`) : null,
      el('p', { class: 'muted import-more' }, 'Fix these cells in the CRM or the file and import it again to fill the fields in; an import updates the leads it matches.'));
  }

  // ---- 4. import ----
  async function runImport() {
    state.result = null;
    state.importError = null;
    state.startedAt = new Date(Date.now() - 1000).toISOString();
    go('import');
    try {
      state.result = await worker.importCsv(state.file, options(), Comlink.proxy(onProgress));
    } catch (error) {
      state.importError = error;
    }
    // The top bar's lead count (and the workspace list) must show the new total at once.
    if (state.result && (state.result.imported || state.result.updated)) await ctx.refreshWorkspaces().catch(() => {});
    if (disposed) return;
    if (state.result) go('done'); else paint();
  }
  function importStep() {
    if (state.importError) {
      const conflict = state.importError.kind === 'conflict';
      return [heading('The import did not happen'),
        el('div', { class: 'import-error is-shown', role: 'alert', id: 'import-error' },
          el('strong', {}, describeError(state.importError)),
          el('p', { class: 'muted' }, conflict ? `Another tab changed this workspace while ${state.file?.name ?? 'the file'} was being imported, so nothing was stored. leadkit has loaded the latest leads; run the import again to import the file over them.` : 'Nothing was stored: an import lands whole or not at all. Your leads are as they were.')),
        el('div', { class: 'import-actions' },
          conflict ? button('Run the import again', runImport, { kind: 'primary', id: 'import-retry', 'data-primary': '' }) : null,
          button('Check again', dryRun), button('Choose another file', () => go('pick')))];
    }
    return [heading('Importing'), progressBox('Importing leads'), el('p', { class: 'muted' }, 'Keep this tab open. The leads are stored in one step once the whole file is read.')];
  }

  // ---- 5. result ----
  function doneStep() {
    const r = state.result;
    const recent = el('ul', { class: 'import-recent', 'aria-label': 'Imported leads' });
    const stored = r.imported + r.updated;
    if (stored) {
      worker.read('query', { filter: { updatedAt: { min: state.startedAt } }, sort: { field: 'updatedAt', order: 'desc' }, limit: 8 }).then(({ rows }) => {
        recent.replaceChildren(...rows.map((l) => el('li', {}, el('a', { href: `#/lead/${encodeURIComponent(l.id)}` },
          [l.firstName, l.lastName].filter(Boolean).join(' ') || l.email || l.company || l.id), el('span', { class: 'muted' }, [l.company, l.email].filter(Boolean).join(' · ')))));
      }).catch(() => {});
    }
    return [
      heading('Import finished'),
      el('div', { class: 'import-done card', role: 'status', id: 'import-result' },
        el('p', { class: 'import-done-title' }, stored ? `${plural(stored, 'lead')} stored in ${ctx.workspace?.name ?? 'this workspace'}` : 'No leads were stored'),
        el('dl', { class: 'import-stats' }, tile('Imported', r.imported, 'good'), tile('Updated', r.updated, 'info'), tile('Skipped', r.skipped), tile('Rejected', r.rejectedRows, r.rejectedRows ? 'bad' : ''),
          tile('With warnings', r.warnedRows ?? 0, r.warnedRows ? 'warn' : ''))),
      warningsCard(r, 'import-result-warnings'),
      stored ? el('div', { class: 'card' }, el('h3', {}, 'Latest leads'), recent) : null,
      el('div', { class: 'import-actions' },
        r.rejectedCsv ? button('Download rejected rows', () => download(`${state.file.name.replace(/\.[^.]+$/, '')}-rejected.csv`, r.rejectedCsv, 'text/csv')) : null,
        button('Import another file', () => { state.file = null; state.report = null; state.result = null; go('pick'); }),
        el('a', { class: 'btn btn-primary', href: '#/leads', id: 'import-view-leads', 'data-primary': '' }, 'Open the leads table')),
    ];
  }

  paint();
  return () => { disposed = true; };
}

