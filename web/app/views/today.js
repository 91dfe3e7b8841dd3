// Today: follow-up tasks due (overdue first), then the ranked call list: who to contact next, why
// they rank there, which cadence touch is due or overdue, and quick logging that re-ranks the list.
import { button, el, fullName, money, pageHeader, stageBadge, stateBox, toast, gradeBadge } from '../ui.js';
import { CHANNEL_LABEL, CONTACT_LABEL, QUICK_TOUCHES, askTask, askTouch, dueLabel, touchLabel, tomorrowAt } from '../moves.js';

export const title = 'Today';

const STEP = 50;

export async function mount(root, ctx) {
  const { worker } = ctx;
  const state = { limit: STEP, dueOnly: false };
  let disposed = false;

  const dueOnly = el('input', { type: 'checkbox', id: 'today-due-only' });
  const summary = el('p', { class: 'subtitle', id: 'today-summary' });
  const list = el('ol', { class: 'today-list', 'aria-label': 'Call list, highest priority first' });
  const more = el('button', { type: 'button', class: 'btn btn-small btn-ghost today-more', hidden: true, onclick: () => { state.limit += STEP; load(); } }, 'Show more');
  const body = el('section', { class: 'today-card card' }, list, more);
  const tasksCard = el('section', { class: 'card today-tasks', 'aria-labelledby': 'today-tasks-h', hidden: true });
  const header = pageHeader('Today', null,
    el('label', { class: 'today-filter', for: 'today-due-only' }, dueOnly, ' Only touches due'));
  header.querySelector('div').append(summary);
  root.append(header, tasksCard, body);
  dueOnly.addEventListener('change', () => { state.dueOnly = dueOnly.checked; load(); });

  const taskLead = (t) => fullName({ firstName: t.firstName, lastName: t.lastName, company: t.company, id: t.leadId });

  /** Open tasks due by the end of the week, overdue first; the rest are counted. */
  async function loadTasks() {
    const end = new Date();
    end.setHours(23, 59, 59, 999);
    end.setDate(end.getDate() + 7);
    const [due, all] = await Promise.all([worker.read('tasks', { until: end, limit: 50 }), worker.read('tasks', { limit: 1 })]);
    if (disposed) return;
    const focused = tasksCard.contains(document.activeElement) ? document.activeElement.dataset.action : null;
    const later = all.total - due.total;
    tasksCard.hidden = all.total === 0;
    const now = new Date();
    const endOfToday = new Date(now); endOfToday.setHours(23, 59, 59, 999);
    const today = due.tasks.filter((t) => !t.overdue && new Date(t.due) <= endOfToday).length;
    const week = due.total - due.overdue - today;
    tasksCard.replaceChildren(
      el('div', { class: 'lead-card-head' },
        el('h2', { id: 'today-tasks-h' }, 'Tasks ', el('span', { class: 'count', title: 'Overdue or due today' }, String(due.overdue + today))),
        el('span', { class: 'muted', id: 'today-tasks-summary' },
          [due.overdue ? `${due.overdue} overdue` : null, `${today} due today`, week ? `${week} later this week` : null,
            later > 0 ? `${later} later` : null].filter(Boolean).join(' · '))),
      due.tasks.length ? el('ul', { class: 'today-task-list', 'aria-label': 'Tasks, most overdue first' }, ...due.tasks.map((t) => {
        const name = taskLead(t);
        return el('li', { class: `today-task${t.overdue ? ' is-overdue' : ''}`, dataset: { task: `${t.leadId}/${t.id}` } },
          el('div', { class: 'today-task-what' },
            el('span', { class: 'today-task-title' }, t.title),
            el('span', { class: 'today-sub' }, el('a', { href: `#/lead/${encodeURIComponent(t.leadId)}` }, name), t.company ? ` · ${t.company}` : '')),
          el('time', { class: t.overdue ? 'today-overdue' : 'today-duenow', datetime: t.due }, dueLabel(t.due, now)),
          el('span', { class: 'today-task-actions' },
            button('Done', () => taskDone(t), { class: 'btn btn-small', 'aria-label': `Done: ${t.title} (${name})`, dataset: { action: 'done' } }),
            button('Snooze', () => taskSnooze(t), { class: 'btn btn-small btn-ghost', 'aria-label': `Snooze: ${t.title} (${name})`, dataset: { action: 'snooze' } })));
      })) : el('p', { class: 'muted' }, 'Nothing due this week.'));
    if (focused) (tasksCard.querySelector(`[data-action="${focused}"]`) ?? tasksCard.querySelector('a, button') ?? list.querySelector('button'))?.focus();
  }
  async function taskDone(t) {
    try {
      await ctx.run(worker.setTask(t.leadId, { id: t.id, done: true }), { success: `Done: ${t.title}` });
      await loadTasks();
    } catch { /* toasted */ }
  }
  async function taskSnooze(t) {
    const base = new Date(Math.max(Date.now(), new Date(t.due).getTime()));
    const task = await askTask(taskLead(t), { title: t.title, due: tomorrowAt(new Date(t.due).getHours() || 9, base), heading: `Snooze: ${t.title}` });
    if (!task) return;
    try {
      await ctx.run(worker.setTask(t.leadId, { id: t.id, title: task.title, due: task.due }), { success: `Snoozed to ${dueLabel(task.due.toISOString())}` });
      await loadTasks();
    } catch { /* toasted */ }
  }

  async function load() {
    const result = await worker.read('callList', { limit: state.limit });
    if (disposed) return;
    const items = state.dueOnly ? result.items.filter((i) => i.due) : result.items;
    const due = result.items.filter((i) => i.due);
    const overdue = due.filter((i) => i.due.overdueDays > 0);
    summary.textContent = result.total
      ? `${result.total.toLocaleString('en-US')} leads to work · ${due.length} touch${due.length === 1 ? '' : 'es'} due in the top ${result.items.length}${overdue.length ? `, ${overdue.length} overdue` : ''}`
      : new Date().toLocaleDateString('en-US', { weekday: 'long', month: 'long', day: 'numeric' });
    if (!items.length) {
      list.replaceChildren();
      more.hidden = true;
      body.hidden = true;
      root.querySelector('.today-empty')?.remove();
      root.append(el('div', { class: 'today-empty' }, stateBox(result.total && state.dueOnly
        ? { title: 'No touches due right now', body: 'Every cadence step is done for today. Untick “Only touches due” to work the rest of the list by score and value.', action: ['Show the whole list', () => { dueOnly.checked = false; state.dueOnly = false; load(); }] }
        : { title: 'Nothing due today', body: 'No open lead needs a touch. Enrol outbound leads in a cadence from their page, or import new leads to prospect.', action: ['Go to the pipeline', () => ctx.navigate('#/board')] })));
      return;
    }
    root.querySelector('.today-empty')?.remove();
    body.hidden = false;
    list.replaceChildren(...items.map(row));
    more.hidden = result.total <= result.items.length;
    more.textContent = `Show ${Math.min(STEP, result.total - result.items.length)} more`;
  }

  function row(item) {
    const reasons = item.reasons.filter((r) => r.share > 0.005).slice(0, 3);
    const due = item.due;
    const score = Number.isFinite(item.score) ? Math.round(item.score) : null;
    return el('li', { class: `today-row${due ? ' is-due' : ''}${due?.overdueDays > 0 ? ' is-overdue' : ''}`, dataset: { id: item.id } },
      el('span', { class: 'today-rank', 'aria-label': `Rank ${item.rank}` }, String(item.rank)),
      el('div', { class: 'today-who' },
        el('a', { href: `#/lead/${encodeURIComponent(item.id)}`, class: 'today-name' }, item.name || item.id),
        el('span', { class: 'today-company' }, el('span', { class: 'today-company-name' }, item.company || '—'), stageBadge(item.stage))),
      el('div', { class: 'today-score' },
        el('span', { class: 'today-score-line' },
          el('span', { class: 'visually-hidden' }, 'Score '), el('strong', {}, score == null ? '—' : String(score)), gradeBadge(item.grade)),
        el('span', { class: 'today-value', title: 'Deal value' }, item.dealValue == null ? 'No deal value' : money(item.dealValue))),
      el('div', { class: 'today-due' }, dueText(item), el('span', { class: 'today-sub' }, lastText(item)),
        item.lastNote ? el('span', { class: 'today-sub today-note', title: item.lastNote }, `“${item.lastNote}”`) : null,
        contact(item)),
      el('p', { class: 'today-why' }, el('span', { class: 'today-why-label' }, 'Why'),
        ...(reasons.length ? reasons.map((r) => reason(r, item)) : [el('span', { class: 'today-reason' }, 'ranked by score')])),
      el('div', { class: 'today-actions', role: 'group', 'aria-label': `Log a touch with ${item.name}` },
        ...QUICK_TOUCHES.map((q) => button(q.short, () => log(item, q), { class: 'btn btn-small', title: q.label, 'aria-label': `${q.label}: ${item.name}`, dataset: { touch: q.key } })),
        button('Task', () => addTask(item), { class: 'btn btn-small btn-ghost', title: 'Plan a next step', 'aria-label': `Add a task for ${item.name}`, dataset: { touch: 'task' } })));
  }

  async function addTask(item) {
    const task = await askTask(item.name);
    if (!task) return;
    try {
      await ctx.run(worker.setTask(item.id, task), { success: `Task saved for ${dueLabel(task.due.toISOString())}` });
      await loadTasks();
    } catch { /* toasted */ }
  }

  /** The lead's phone and e-mail as links the device can call or write with. */
  function contact(item) {
    if (!item.phone && !item.email) return null;
    return el('span', { class: 'today-sub today-contact' },
      item.phone ? el('a', { href: `tel:${item.phone.replace(/[^\d+]/g, '')}`, 'aria-label': `Call ${item.name} at ${item.phone}` }, item.phone) : null,
      item.phone && item.email ? ' · ' : null,
      item.email ? el('a', { href: `mailto:${item.email}`, 'aria-label': `E-mail ${item.name} at ${item.email}` }, item.email) : null);
  }

  /** One ranking factor and its share of the priority. The numbers it names (score, value, due
   * touch, days since the last touch) are already in their own columns, so it only names the factor. */
  function reason(r, item) {
    const label = {
      score: 'Score',
      value: 'Deal value',
      due: item.due ? (item.due.overdueDays > 0 ? 'Overdue touch' : 'Touch due') : r.text,
      staleness: item.daysSinceTouch == null ? 'Never contacted' : 'Time since last touch',
    }[r.factor] ?? r.text;
    return el('span', { class: 'today-reason' }, label.replace(/^./, (c) => c.toUpperCase()), ' ',
      el('span', { class: 'today-share' }, `${Math.round(r.share * 100)}%`));
  }

  function dueText(item) {
    const due = item.due;
    if (!due) return el('span', { class: 'today-nodue' }, 'No touch due');
    const what = `${CHANNEL_LABEL[due.channel] ?? due.channel} · step ${due.step} of ${due.of}`;
    return el('span', { class: due.overdueDays > 0 ? 'today-overdue' : 'today-duenow' },
      due.overdueDays > 0 ? `${what} · ${due.overdueDays} day${due.overdueDays === 1 ? '' : 's'} overdue` : `${what} · due today`);
  }
  function lastText(item) {
    const contact = CONTACT_LABEL[item.contactStatus] ?? '';
    const days = item.daysSinceTouch;
    const since = days == null ? 'never touched' : days === 0 ? 'touched today' : `${days} day${days === 1 ? '' : 's'} since last touch`;
    return `${contact} · ${since}`;
  }

  /**
   * Logs a quick touch and moves on: focus goes to the same button on the next lead of the list
   * as it stood (the one worked on may have moved down), never to the page body.
   */
  async function log(item, q) {
    const rows = [...list.querySelectorAll('.today-row')].map((r) => r.dataset.id);
    const next = rows[rows.indexOf(item.id) + 1];
    const touch = await askTouch(item.name, q.touch);
    if (!touch) return;
    try {
      await ctx.run(worker.logTouch(item.id, touch));
      toast(`Logged ${touchLabel(touch).toLowerCase()} for ${item.name}`, { tone: 'success' });
      await load();
      const target = (next && list.querySelector(`[data-id="${CSS.escape(next)}"] [data-touch="${q.key}"]`))
        ?? list.querySelector(`[data-id="${CSS.escape(item.id)}"] [data-touch="${q.key}"]`);
      target?.focus();
    } catch { /* toasted */ }
  }

  await Promise.all([loadTasks(), load()]);
  return () => { disposed = true; };
}
