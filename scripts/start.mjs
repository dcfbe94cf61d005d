#!/usr/bin/env node
// `npm start` on a fresh clone: plain Node with no dependencies, so it runs before `npm ci` has
// installed tsx. Installs exactly from package-lock.json when node_modules is missing, then runs
// scripts/start.ts (sandbox + companion + extension builds) and passes SIGINT/SIGTERM on to it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsx = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'tsx.cmd' : 'tsx');

if (!existsSync(tsx)) {
  console.log('node_modules is missing: running npm ci …');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const install = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (install.status !== 0) process.exit(install.status ?? 1);
}

const child = spawn(tsx, [join(root, 'scripts', 'start.ts')], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) {
  // Ctrl-C reaches the whole process group anyway; a SIGTERM sent to this process alone is forwarded.
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
