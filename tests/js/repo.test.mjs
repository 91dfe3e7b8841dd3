// The repository stands on its own: no file points at notes kept outside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);

test('no tracked file cites TOOLCHAIN.md or the shared folder; the toolchain notes are docs/toolchain.md', () => {
  const offenders = tracked.filter((path) => path !== 'tests/js/repo.test.mjs' && existsSync(new URL(path, root)))
    .filter((path) => /TOOLCHAIN\.md|\.\.\/shared\//.test(readFileSync(new URL(path, root), 'latin1')));
  assert.deepEqual(offenders, []);
  const notes = readFileSync(new URL('docs/toolchain.md', root), 'utf8');
  for (let section = 1; section <= 10; section += 1) assert.match(notes, new RegExp(`^## ${section}\\. `, 'm'));
});
