/**
 * Run by the package's postinst (bundled to /usr/lib/p2p-update/transmission-setup.js):
 * makes the RPC credentials once, then locks the system transmission-daemon's RPC to
 * loopback with them (127.0.0.1, or ::1 on an IPv6-only host). Exit codes: 0 nothing to change (or applied), 10 `--check` found a
 * change to make, 1 failure. The daemon rewrites settings.json when it exits, so the
 * postinst stops it before `--apply` and starts it again after.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import {
  lockRpc,
  loopbackOf,
  newCredentials,
  parseCredentials,
  rpcLoopback,
  type RpcCredentials,
} from './transmission-rpc.ts';

const CREDS = process.env['P2PU_RPC_CREDENTIALS'] ?? '/etc/p2p-update/transmission-rpc.json';
const SETTINGS = process.env['P2PU_TRANSMISSION_SETTINGS'] ?? '/etc/transmission-daemon/settings.json';

function credentials(): RpcCredentials {
  if (existsSync(CREDS)) return parseCredentials(readFileSync(CREDS, 'utf8'));
  // Chosen once, with the credentials: ::1 on an IPv6-only host (transmission-rpc.ts).
  const creds = newCredentials(randomBytes, rpcLoopback(networkInterfaces()));
  writeFileSync(CREDS, JSON.stringify(creds, null, 2) + '\n', { mode: 0o640, flag: 'wx' });
  return creds;
}

function run(mode: string | undefined): number {
  if (mode !== '--check' && mode !== '--apply') {
    console.error('usage: transmission-setup --check|--apply');
    return 2;
  }
  const creds = credentials();
  if (!existsSync(SETTINGS)) {
    console.error(`transmission-setup: ${SETTINGS} not found; is transmission-daemon installed?`);
    return 1;
  }
  const { settings, changed } = lockRpc(JSON.parse(readFileSync(SETTINGS, 'utf8')), creds);
  if (!changed) return 0;
  if (mode === '--check') return 10;
  // Writing in place keeps the file's owner and mode (debian-transmission, 0600/0660).
  writeFileSync(SETTINGS, JSON.stringify(settings, null, 4) + '\n');
  console.log(`transmission-setup: RPC of transmission-daemon locked to ${loopbackOf(creds)} with ${CREDS}`);
  return 0;
}

try {
  process.exitCode = run(process.argv[2]);
} catch (e) {
  console.error(`transmission-setup: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
}
