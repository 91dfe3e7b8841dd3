// Undo, field by field (web/app/undo.js): it takes back only what its change did.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reverse, same } from '../../web/app/undo.js';

const lead = (extra) => ({ id: 'a', firstName: 'Zofia', tags: [], stage: 'new', touches: [], updatedAt: 't0', ...extra });

test('a field still as the change left it goes back', () => {
  const before = lead();
  const after = lead({ tags: ['x'], updatedAt: 't1' });
  const { put, kept } = reverse([{ id: 'a', before, after }], () => after);
  assert.deepEqual(put[0].tags, []);
  assert.deepEqual(kept, []);
});

test('a touch logged after the change stays; the change is still undone', () => {
  const before = lead();
  const after = lead({ tags: ['x'] });
  const now = lead({ tags: ['x'], touches: [{ note: 'Call: connected' }] });
  const { put } = reverse([{ id: 'a', before, after }], () => now);
  assert.deepEqual(put[0].tags, []);
  assert.deepEqual(put[0].touches, [{ note: 'Call: connected' }]);
});

test('tags are a set: only the tag the change added is taken back', () => {
  const before = lead({ tags: ['a'] });
  const after = lead({ tags: ['a', 'x'] });
  const now = lead({ tags: ['a', 'x', 'later'] });
  assert.deepEqual(reverse([{ id: 'a', before, after }], () => now).put[0].tags, ['a', 'later']);
  const removed = reverse([{ id: 'a', before: lead({ tags: ['a', 'x'] }), after: lead({ tags: ['a'] }) }], () => lead({ tags: ['a', 'later'] }));
  assert.deepEqual(removed.put[0].tags, ['a', 'later', 'x']);
});

test('a field changed again since is kept and reported', () => {
  const before = lead({ stage: 'new' });
  const after = lead({ stage: 'mql', history: [1] });
  const now = lead({ stage: 'sql', history: [1, 2] });
  const { put, kept } = reverse([{ id: 'a', before, after }], () => now);
  assert.deepEqual(put, []);
  assert.deepEqual(kept, [{ id: 'a', name: 'Zofia', fields: ['stage', 'history'] }]);
});

test('a deleted lead comes back, unless one with its id was created since; a lead deleted since stays deleted', () => {
  const gone = reverse([{ id: 'a', before: lead(), after: null }], () => null);
  assert.deepEqual(gone.put, [lead()]);
  const recreated = reverse([{ id: 'a', before: lead(), after: null }], () => lead({ firstName: 'New' }));
  assert.deepEqual(recreated.put, []);
  assert.equal(recreated.kept.length, 1);
  const deletedSince = reverse([{ id: 'a', before: lead(), after: lead({ tags: ['x'] }) }], () => null);
  assert.deepEqual(deletedSince.put, []);
  assert.equal(deletedSince.kept[0].fields[0], '(deleted since)');
});

test('same() compares JSON values, not key order', () => {
  assert.ok(same({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }));
  assert.ok(!same({ a: 1 }, { a: 1, b: 2 }));
  assert.ok(!same([1, 2], [2, 1]));
});
