#!/usr/bin/env node
// One set-up for every entry point (`npm start`, `npm test`, `npm run bench`, `.ci/run`).
// It is plain JavaScript with no dependencies because it runs before `npm ci` has.
//
// 1. npm packages: runs `npm ci` when node_modules is missing or older than the lockfile.
// 2. Debian packages (QEMU, OVMF, gnu-efi, gcc/binutils, Chromium, mtools): installs the
//    missing ones with apt-get when running as root; otherwise stops and prints the exact
//    command to run. Nothing is skipped silently: a test that needs a component fails if
//    it is absent, so set-up must either install it or say how.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Debian packages the project's tests and adapters use, with what each one is for. */
export const DEBIAN_PACKAGES = [
  ['qemu-system-x86', 'QEMU TCG: the independent MMU and the OVMF host'],
  ['ovmf', 'UEFI firmware for the exit-flow and hand-off boots'],
  ['gnu-efi', 'builds the UEFI test application'],
  ['binutils', 'as/ld/objcopy and readelf (the ELF oracle)'],
  ['gcc', 'builds the C walker, the C example, test kernels'],
  ['chromium', 'renders the HTML report in the browser tests'],
  ['mtools', 'writes and reads the FAT ESP image for OVMF'],
  ['python3', 'runs the Python example implementation'],
];

function log(msg) {
  process.stderr.write(`[setup] ${msg}\n`);
}

function npmPackagesReady() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(marker)) return false;
  return statSync(marker).mtimeMs >= statSync(join(root, 'package-lock.json')).mtimeMs;
}

function ensureNpmPackages() {
  if (npmPackagesReady()) return;
  log('installing npm packages (npm ci)…');
  const r = spawnSync('npm', ['ci', '--no-fund', '--no-audit'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    log(`npm ci failed (exit ${r.status}); run it by hand in ${root} to see why.`);
    process.exit(1);
  }
}

function debianInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

function ensureDebianPackages() {
  if (!existsSync('/usr/bin/dpkg-query')) {
    log('this is not a Debian-family system; install the equivalents of: ' +
      DEBIAN_PACKAGES.map(([p]) => p).join(' '));
    process.exit(1);
  }
  const missing = DEBIAN_PACKAGES.filter(([p]) => !debianInstalled(p)).map(([p]) => p);
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    log(`missing Debian packages: ${missing.join(', ')}`);
    log(`run as root:  sudo sh -c '${command}'`);
    process.exit(1);
  }
  log(`installing Debian packages: ${missing.join(', ')}…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
}

ensureNpmPackages();
ensureDebianPackages();
