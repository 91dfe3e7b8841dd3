// Undo of a bulk change or delete, field by field, so that it never erases a later edit: a field
// goes back only if it still holds what the change put there. Pure functions over lead JSON (as
// engine.getLead returns it), tested in node.

// Fields the engine sets on every write or derives from others: never compared, never restored.
const DERIVED = new Set(['updatedAt', 'direction', 'touchCount', 'lastTouchAt']);

/** Deep equality of JSON values (object key order ignored). */
export function same(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((v, i) => same(v, b[i]));
  const ka = Object.keys(a).filter((k) => a[k] !== undefined);
  const kb = Object.keys(b).filter((k) => b[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => same(a[k], b[k]));
}

const name = (lead) => [lead.firstName, lead.lastName].filter(Boolean).join(' ') || lead.email || lead.company || lead.id;

/**
 * What undoing `changes` ([{ id, before, after }], after null for a delete, before null for a
 * lead the change added) writes, given each lead as it is now (`current(id)`, null if gone):
 * `{ put: leads to store, remove: ids to delete, kept: [{ id, name, fields }] }`, where `kept`
 * lists the later changes left in place.
 */
export function reverse(changes, current) {
  const put = [];
  const remove = [];
  const kept = [];
  for (const { id, before, after } of changes) {
    const now = current(id);
    if (before === null) {  // added by the change: gone again, unless it was worked on since
      if (!now) continue;
      if (same(now, after)) remove.push(id);
      else kept.push({ id, name: name(now), fields: ['(changed since it was added)'] });
      continue;
    }
    if (after === null) {  // deleted: back as it was, unless a lead with that id came back since
      if (now) kept.push({ id, name: name(now), fields: ['(created again since)'] });
      else put.push(before);
      continue;
    }
    if (!now) {
      kept.push({ id, name: name(after), fields: ['(deleted since)'] });
      continue;
    }
    const next = { ...now };
    const conflicts = [];
    let reverted = false;
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const key of keys) {
      if (DERIVED.has(key) || same(before[key], after[key])) continue;  // not this change's doing
      if (same(now[key], after[key])) {
        if (before[key] === undefined) delete next[key]; else next[key] = before[key];
        reverted = true;
      } else if (key === 'tags' && Array.isArray(now.tags)) {
        // Tags are a set: take back only the tags this change added or removed.
        const was = new Set(before.tags ?? []);
        const became = new Set(after.tags ?? []);
        const tags = now.tags.filter((t) => !(became.has(t) && !was.has(t)));
        for (const t of was) if (!became.has(t) && !tags.includes(t)) tags.push(t);
        if (!same(tags, now.tags)) { next.tags = tags; reverted = true; }
      } else {
        conflicts.push(key);
      }
    }
    if (reverted) put.push(next);
    if (conflicts.length) kept.push({ id, name: name(now), fields: conflicts });
  }
  return { put, remove, kept };
}
