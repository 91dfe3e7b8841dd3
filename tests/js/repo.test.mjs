// The repository stands on its own: no file points at notes kept outside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);

// The names of the notes kept beside the repository, spelt in parts so this file does not cite them.
const outside = new RegExp([['TOOL', 'CHAIN\\.md'].join(''), ['\\.\\.', 'shared\\/'].join('\\/')].join('|'));

test('no tracked file cites the toolchain notes or the folder kept beside the repository; ours are docs/toolchain.md', () => {
  const offenders = tracked.filter((path) => existsSync(new URL(path, root)))
    .filter((path) => outside.test(readFileSync(new URL(path, root), 'latin1')));
  assert.deepEqual(offenders, []);
  const notes = readFileSync(new URL('docs/toolchain.md', root), 'utf8');
  for (let section = 1; section <= 10; section += 1) assert.match(notes, new RegExp(`^## ${section}\\. `, 'm'));
});
