// Workspaces: one per client. Create, rename, switch, delete (after confirming), and move each
// one in and out of the browser as a backup file.
import {
  button, confirmDialog, dateTime, describeError, download, el, pageHeader, promptDialog, stateBox, toast,
} from '../ui.js';

export const title = 'Workspaces';

export async function mount(root, ctx) {
  const { worker } = ctx;
  const list = el('div', { class: 'workspace-list', role: 'list' });
  const file = el('input', { type: 'file', accept: '.json,application/json', hidden: true, 'aria-label': 'Backup file to restore' });
  root.append(
    pageHeader('Workspaces', 'One per client. Everything stays in this browser; back a workspace up to move it or keep it safe.',
      button('Restore a backup…', () => file.click()),
      button('New workspace', create, { kind: 'primary' })),
    list, file);

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
      const result = await worker.importBackup(await chosen.text(), chosen.name.replace(/\.(leadkit\.)?json$/i, ''));
      toast(`Restored “${result.workspace.name}” with ${result.leads.toLocaleString('en-US')} leads`, { tone: 'success' });
      await ctx.openWorkspace(result.workspace.id);
      paint();
    } catch (error) {
      toast(`${chosen.name}: ${describeError(error)}. Nothing was changed.`, { tone: 'error' });
    }
  });

  await paint();
}
