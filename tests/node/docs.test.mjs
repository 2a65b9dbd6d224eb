// One source of truth for options: the README shows exactly what --help prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { WSCAM_BIN } from './lib/wscam.mjs';

test('the README options block is the current --help output', () => {
  const help = spawnSync(WSCAM_BIN, ['--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = readme.match(/## Options[\s\S]*?```text\n([\s\S]*?)```/);
  assert.ok(block, 'README has an Options section with a text block');
  assert.equal(block[1], help.stdout, 'README is out of date: run scripts/update-readme-help.py');
});
