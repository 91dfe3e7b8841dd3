// Workspaces: one per client. Create, rename, switch, delete (after confirming), and move each
// one in and out of the browser as a backup file.
import {
  button, confirmDialog, dateTime, describeError, dialog, download, el, pageHeader, promptDialog, stateBox, toast,
} from '../ui.js';

export const title = 'Workspaces';

export async function mount(root, ctx) {
  const { worker } = ctx;
  const list = el('div', { class: 'workspace-list', role: 'list' });
  const file = el('input', { type: 'file', accept: '.json,application/json', hidden: true, 'aria-label': 'Backup file to restore' });
  const leadsFile = el('input', { type: 'file', accept: '.json,application/json', hidden: true, 'aria-label': 'Leads file to add to the open workspace' });
  root.append(
    pageHeader('Workspaces', 'One per client. Everything stays in this browser; back a workspace up to move it or keep it safe.',
      button('Restore a backup…', () => file.click()),
      button('New workspace', create, { kind: 'primary' })),
    list, file, leadsFile);

  async function paint() {
    await ctx.refreshWorkspaces();
    list.replaceChildren();
    if (!ctx.workspaces.length) {
      list.append(stateBox({ title: 'No workspaces', body: 'Create one for your first client.', action: ['New workspace', create] }));
      return;
    }
    for (const w of ctx.workspaces) {
      const open = w.id === ctx.workspace?.id;
      list.append(el('article', { class: `card workspace-card${open ? ' is-open' : ''}`, role: 'listitem', 'aria-label': w.name },
        el('div', { class: 'workspace-main' },
          el('h2', {}, w.name, open ? el('span', { class: 'badge stage-sql' }, 'Open') : null),
          el('p', { class: 'muted' }, `Created ${dateTime(w.createdAt)}${w.updatedAt ? ` · last change ${dateTime(w.updatedAt)}` : ''}`)),
        el('div', { class: 'page-actions' },
          open ? null : button('Open', () => switchTo(w.id), { kind: 'primary', 'aria-label': `Open ${w.name}` }),
          button('Rename', () => rename(w), { 'aria-label': `Rename ${w.name}` }),
          open ? button('Back up', backup, { 'aria-label': `Back up ${w.name}` }) : null,
          open ? button('Add leads from JSON…', () => leadsFile.click(), { 'aria-label': `Add leads from JSON… to ${w.name}`, title: 'The website widget\'s export, or any leadkit JSON of leads: merged by id or e-mail' }) : null,
          button('Delete', () => remove(w), { kind: 'danger', 'aria-label': `Delete ${w.name}` }))));
    }
  }

  async function switchTo(id) {
    await ctx.run(ctx.openWorkspace(id));
    paint();
  }

  async function create() {
    const name = await promptDialog('New workspace', 'Client or workspace name', '', { confirm: 'Create' });
    if (!name) return;
    const record = await ctx.run(worker.createWorkspace(name));
    await ctx.run(ctx.openWorkspace(record.id), { success: `Created “${record.name}”` });
    ctx.navigate('#/leads');
  }

  async function rename(w) {
    const name = await promptDialog(`Rename “${w.name}”`, 'New name', w.name);
    if (!name || name === w.name) return;
    await ctx.run(worker.renameWorkspace(w.id, name), { success: 'Renamed' });
    paint();
  }

  async function remove(w) {
    if (!await confirmDialog(`Delete “${w.name}”?`,
      'Every lead, touch and setting in it is erased from this browser. This cannot be undone; back it up first if you may need it.',
      { confirm: 'Delete workspace', danger: true })) return;
    const rest = await ctx.run(worker.deleteWorkspace(w.id), { success: `Deleted “${w.name}”` });
    if (w.id === ctx.workspace?.id) {
      if (rest.length) await ctx.openWorkspace(rest[0].id);
      else {
        const record = await worker.createWorkspace('My workspace');
        await ctx.openWorkspace(record.id);
      }
    }
    paint();
  }

  async function backup() {
    const text = await ctx.run(worker.exportBackup());
    const stamp = new Date().toISOString().slice(0, 10);
    download(`${ctx.workspace.name.replace(/[^\w.-]+/g, '-')}-${stamp}.leadkit.json`, text);
  }

  file.addEventListener('change', async () => {
    const chosen = file.files[0];
    file.value = '';
    if (!chosen) return;
    try {
      const text = await chosen.text();
      const fallback = chosen.name.replace(/\.(leadkit\.)?json$/i, '');
      let result = await worker.importBackup(text, fallback);
      if (result.clash) {
        const { clash, suggestedName, leads } = result;
        const choice = await dialog({
          title: `A workspace named “${clash.name}” exists`,
          body: [el('p', {}, `This backup holds ${leads.toLocaleString('en-US')} leads. Keep both, restoring it as “${suggestedName}”, or replace what “${clash.name}” holds now with the backup.`)],
          buttons: [{ label: 'Cancel', value: false }, { label: `Keep both as “${suggestedName}”`, value: 'keep', kind: 'primary' },
            { label: `Replace “${clash.name}”`, value: 'replace', kind: 'danger' }],
        });
        if (choice !== 'keep' && choice !== 'replace') return;
        if (choice === 'replace' && !await confirmDialog(`Replace “${clash.name}”?`,
          `Its leads and settings become the backup's ${leads.toLocaleString('en-US')} leads. Back it up first if you may need what it holds now.`,
          { confirm: 'Replace', danger: true })) return;
        result = await worker.importBackup(text, fallback, { mode: choice, name: suggestedName });
      }
      toast(`${result.replaced ? 'Replaced' : 'Restored'} “${result.workspace.name}” with ${result.leads.toLocaleString('en-US')} leads`, { tone: 'success' });
      await ctx.openWorkspace(result.workspace.id);
      paint();
    } catch (error) {
      toast(`${chosen.name}: ${describeError(error)}. Nothing was changed.`, { tone: 'error' });
    }
  });

  // Leads from the website widget (its "Export leads"), or any leadkit JSON of leads, join the
  // open workspace: by id, else by e-mail, keeping their events; the rest are added.
  leadsFile.addEventListener('change', async () => {
    const chosen = leadsFile.files[0];
    leadsFile.value = '';
    if (!chosen) return;
    try {
      const text = await chosen.text();
      const preview = await worker.mergeLeads(text, { dryRun: true });
      const parts = [`${preview.added.toLocaleString('en-US')} new`, `${preview.merged.toLocaleString('en-US')} joining leads you have (by id or e-mail)`,
        `${preview.unchanged.toLocaleString('en-US')} already here`];
      const ok = await dialog({
        title: `Add ${preview.total.toLocaleString('en-US')} leads from ${chosen.name}?`,
        body: [el('p', {}, `${parts.join(' · ')}. A lead that joins one you have fills its empty fields and adds its events, touches and tags; its stage and your notes stay.`)],
        buttons: [{ label: 'Cancel', value: false }, { label: preview.added + preview.merged ? 'Add and merge' : 'Close', value: true, kind: 'primary' }],
      });
      if (ok !== true || !(preview.added + preview.merged)) return;
      const result = await worker.mergeLeads(text);
      toast(`Added ${result.added} and merged ${result.merged} leads from ${chosen.name}`, {
        tone: 'success',
        action: result.undo ? ['Undo', async () => { await ctx.run(worker.undo(result.undo), { success: 'Undone' }); }] : undefined,
      });
    } catch (error) {
      toast(`${chosen.name}: ${describeError(error)}. Nothing was changed.`, { tone: 'error' });
    }
  });

  await paint();
}
