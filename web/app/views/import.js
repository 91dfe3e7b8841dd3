// Import wizard: pick or drop a CSV, check the suggested mapping against sample values, see a dry
// run's validation report, import with progress, and read the result. The File goes to the worker
// as is (structured clone) and is streamed there; nothing is stored until the whole file is read.
import * as Comlink from '../../vendor/comlink.mjs';
import { button, describeError, download, el, number, pageHeader, stateBox } from '../ui.js';

export const title = 'Import';

const STEPS = ['Choose file', 'Map columns', 'Check', 'Import', 'Done'];
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
  const state = { step: 0, file: null, samples: [], suggestion: null, preset: '', columns: [], onDuplicate: 'update', report: null, result: null, busy: false };
  let disposed = false;

  const stepper = el('ol', { class: 'import-steps', 'aria-label': 'Import steps' });
  const body = el('div', { class: 'import-body' });
  root.append(pageHeader('Import leads', `From a CSV file into ${ctx.workspace?.name ?? 'this workspace'}. Nothing is stored until you confirm.`), stepper, body);

  function paint() {
    stepper.replaceChildren(...STEPS.map((label, i) => el('li', {
      class: i < state.step ? 'is-done' : i === state.step ? 'is-current' : '',
      'aria-current': i === state.step ? 'step' : null,
    }, el('span', { class: 'import-step-num', 'aria-hidden': 'true' }, i < state.step ? '✓' : String(i + 1)), el('span', {}, label))));
    body.replaceChildren(...[pickStep, mapStep, checkStep, importStep, doneStep][state.step]().filter(Boolean));
  }
  const go = (step) => { state.step = step; paint(); body.querySelector('h2')?.focus?.(); };
  const heading = (text) => el('h2', { tabindex: '-1', class: 'import-heading' }, text);

  // ---- 1. pick or drop ----
  let pickError = null;
  function pickStep() {
    const input = el('input', { type: 'file', id: 'import-file', class: 'visually-hidden', accept: '.csv,.tsv,.txt,text/csv,text/plain', tabindex: '-1', 'aria-label': 'CSV file' });
    input.addEventListener('change', () => { if (input.files[0]) choose(input.files[0]); });
    const zone = el('div', { class: 'import-drop', id: 'import-drop' },
      el('div', { class: 'import-drop-icon', 'aria-hidden': 'true' }, '⇪'),
      el('p', { class: 'import-drop-title' }, state.busy ? 'Reading the file…' : 'Drop a CSV file here'),
      el('p', { class: 'muted' }, 'Exports from HubSpot, Salesforce, Pipedrive and LinkedIn are recognised; any CSV with a header row works. Comma, semicolon or tab separated, UTF-8.'),
      button('Choose a CSV file', () => input.click(), { kind: 'primary', id: 'import-choose', disabled: state.busy }),
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
      go(1);
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
      mappingNote,
      el('div', { class: 'import-actions' },
        button('Back', () => { state.file = null; go(0); }),
        button('Check the file', dryRun, { kind: 'primary', id: 'import-check' })),
    ];
    queueMicrotask(paintMappingState);
    return result;
  }

  const options = () => ({
    mapping: { columns: Object.fromEntries(state.columns.map((c) => [c.header, c.field || null])) },
    onDuplicate: state.onDuplicate,
    ...(state.preset ? { preset: state.preset } : {}),
  });

  // ---- 3. dry run and validation report ----
  let progress = null;
  async function dryRun() {
    if (mappingProblem()) { paintMappingState(); return; }
    state.report = null;
    state.checkError = null;
    go(2);
    try {
      state.report = await worker.importCsv(state.file, { ...options(), dryRun: true }, Comlink.proxy(onProgress));
    } catch (error) {
      state.checkError = error;
    }
    if (!disposed) paint();
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
        el('div', { class: 'import-actions' }, button('Back to mapping', () => go(1)), button('Choose another file', () => go(0)))];
    }
    const willStore = r.imported + r.updated;
    const shown = r.rejected.slice(0, 50);
    return [
      heading('Validation report'),
      el('dl', { class: 'import-stats', id: 'import-report' },
        tile('Rows read', r.rows), tile('New leads', r.imported, 'good'), tile('Updates', r.updated, 'info'),
        tile('Skipped', r.skipped), tile('Rejected rows', r.rejectedRows, r.rejectedRows ? 'bad' : ''), tile('Duplicates', r.duplicates, r.duplicates ? 'warn' : '')),
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
        button('Back to mapping', () => go(1)),
        willStore
          ? button(importLabel(r.imported, r.updated), runImport, { kind: 'primary', id: 'import-run' })
          : el('span', { class: 'muted' }, 'Nothing in this file can be imported.')),
    ];
  }
  const tile = (label, value, tone = '') => el('div', { class: `import-stat ${tone ? 'tone-' + tone : ''}` }, el('dt', {}, label), el('dd', {}, number(value)));

  // ---- 4. import ----
  async function runImport() {
    state.result = null;
    state.importError = null;
    state.startedAt = new Date(Date.now() - 1000).toISOString();
    go(3);
    try {
      state.result = await worker.importCsv(state.file, options(), Comlink.proxy(onProgress));
    } catch (error) {
      state.importError = error;
    }
    // The top bar's lead count (and the workspace list) must show the new total at once.
    if (state.result && (state.result.imported || state.result.updated)) await ctx.refreshWorkspaces().catch(() => {});
    if (disposed) return;
    if (state.result) go(4); else paint();
  }
  function importStep() {
    if (state.importError) {
      const conflict = state.importError.kind === 'conflict';
      return [heading('The import did not happen'),
        el('div', { class: 'import-error is-shown', role: 'alert', id: 'import-error' },
          el('strong', {}, describeError(state.importError)),
          el('p', { class: 'muted' }, conflict ? `Another tab changed this workspace while ${state.file?.name ?? 'the file'} was being imported, so nothing was stored. leadkit has loaded the latest leads; run the import again to import the file over them.` : 'Nothing was stored: an import lands whole or not at all. Your leads are as they were.')),
        el('div', { class: 'import-actions' },
          conflict ? button('Run the import again', runImport, { kind: 'primary', id: 'import-retry' }) : null,
          button('Check again', dryRun), button('Choose another file', () => go(0)))];
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
        el('dl', { class: 'import-stats' }, tile('Imported', r.imported, 'good'), tile('Updated', r.updated, 'info'), tile('Skipped', r.skipped), tile('Rejected', r.rejectedRows, r.rejectedRows ? 'bad' : ''))),
      stored ? el('div', { class: 'card' }, el('h3', {}, 'Latest leads'), recent) : null,
      el('div', { class: 'import-actions' },
        r.rejectedCsv ? button('Download rejected rows', () => download(`${state.file.name.replace(/\.[^.]+$/, '')}-rejected.csv`, r.rejectedCsv, 'text/csv')) : null,
        button('Import another file', () => { state.file = null; state.report = null; state.result = null; go(0); }),
        el('a', { class: 'btn btn-primary', href: '#/leads', id: 'import-view-leads' }, 'Open the leads table')),
    ];
  }

  paint();
  return () => { disposed = true; };
}

