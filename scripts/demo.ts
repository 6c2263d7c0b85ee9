/**
 * The demo, told step by step: an admin key, a signed update, its verification, and
 * forged and replayed copies being refused. (The live cluster joins this story as the
 * test bed grows: see test/e2e/.)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/p2p-update', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'p2pu-demo-'));
const f = (n: string): string => join(dir, n);

function step(title: string): void {
  console.log(`\n== ${title}`);
}
function run(args: string[], expectOk = true): string {
  console.log(`$ p2p-update ${args.map((a) => a.replace(dir + '/', '')).join(' ')}`);
  const r = spawnSync(BIN, args, { encoding: 'utf8' });
  const out = (r.stdout + r.stderr).trimEnd();
  console.log(out.replaceAll(dir + '/', '').replace(/^/gm, '  '));
  if ((r.status === 0) !== expectOk) throw new Error(`demo: unexpected exit ${r.status} for ${args[0]}`);
  return out;
}

try {
  step('1. The admin makes a key pair');
  run(['keygen', '--out', f('admin')]);

  step('2. The admin signs an update for app:/opt/demo, version 1');
  writeFileSync(f('demo-app-1.0.sh'), '#!/bin/sh\necho "demo app 1.0 installed"\n'.repeat(2000));
  run([
    'create',
    f('demo-app-1.0.sh'),
    '--uri',
    'app:/opt/demo',
    '--version',
    '1',
    '--key',
    f('admin.key'),
    '--expires',
    '30d',
    '--out',
    f('v1.torrent'),
  ]);

  step('3. Any node verifies it against the admin public key (and the payload)');
  run(['verify', f('v1.torrent'), '--pub', f('admin.pub'), '--payload', f('demo-app-1.0.sh')]);

  step('4. It is an ordinary BitTorrent file: transmission-show reads it');
  console.log(
    execFileSync('transmission-show', [f('v1.torrent')], { encoding: 'utf8' })
      .split('\n')
      .slice(0, 8)
      .join('\n')
      .replace(/^/gm, '  '),
  );

  step('5. An attacker bumps the version without the key: refused');
  const raw = readFileSync(f('v1.torrent')).toString('latin1');
  writeFileSync(f('forged.torrent'), Buffer.from(raw.replace('7:versioni1e', '7:versioni2e'), 'latin1'));
  run(['verify', f('forged.torrent'), '--pub', f('admin.pub')], false);

  step('6. An attacker signs with a key of their own: refused');
  run(['keygen', '--out', f('mallory')]);
  run([
    'create',
    f('demo-app-1.0.sh'),
    '--uri',
    'app:/opt/demo',
    '--version',
    '9',
    '--key',
    f('mallory.key'),
    '--out',
    f('mallory.torrent'),
  ]);
  run(['verify', f('mallory.torrent'), '--pub', f('admin.pub')], false);

  step('7. The file is swapped after signing: refused');
  writeFileSync(f('evil.sh'), readFileSync(f('demo-app-1.0.sh')).fill(0x41, 0, 10));
  run(['verify', f('v1.torrent'), '--pub', f('admin.pub'), '--payload', f('evil.sh')], false);

  console.log('\ndemo finished: a signed update verified; forged, foreign-key and swapped copies refused.');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
