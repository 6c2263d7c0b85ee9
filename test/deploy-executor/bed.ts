/**
 * A real deploy executor for tests (`bin/p2p-update deploy-executor`, a child process
 * running as this test's user, root here), in a temp dir: its config, state and socket,
 * an input dir standing for the manager's state (signed torrents and payloads are put
 * there), and a raw client that sends any bytes and reads the one answer line.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LoggedProcess } from '../integration/manager-harness/proc.ts';
import { makeAdmin, makePayload, sign, type Admin } from '../integration/manager-harness/updates.ts';
import { tempDir } from '../integration/manager-harness/util.ts';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(REPO, 'bin/p2p-update');

export interface Update {
  readonly uri: string;
  readonly version: number;
  readonly infoHash: string;
  readonly torrent: string;
  readonly payload: string;
}

export interface Bed {
  readonly dir: string;
  readonly inputs: string;
  readonly socket: string;
  readonly stateDir: string;
  readonly admin: Admin;
  readonly proc: LoggedProcess;
  /** Writes the config (deployers, plus any top-level keys) and (re)starts the executor. */
  start(deployers: object, extra?: object): Promise<void>;
  /** Signs `bytes` (random when a number) as `uri` v`version`, into the input dir; `expires` in s. */
  update(
    uri: string,
    version: number,
    bytes?: number | Buffer,
    admin?: Admin,
    expires?: number,
  ): Promise<Update>;
  /** One request (an object, or raw text sent as is); the decoded answer. */
  ask(req: object | string): Promise<Record<string, unknown>>;
  deployReq(u: Update, patch?: object): Record<string, unknown>;
  record(): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Sends `text` on a new connection and resolves with all it got when the executor closed. */
export function askRaw(socket: string, text: string | Buffer, end = true): Promise<string> {
  return new Promise((resolve) => {
    const c = connect(socket);
    let got = '';
    c.on('data', (d: Buffer) => (got += d.toString('utf8')));
    c.on('error', () => undefined); // EPIPE after a refusal: the answer is what counts
    c.once('close', () => resolve(got));
    c.write(text);
    if (end) c.end();
  });
}

export async function createBed(label: string): Promise<Bed> {
  const tmp = await tempDir(`exec-${label}`);
  const dir = tmp.path;
  const inputs = join(dir, 'manager');
  await mkdir(inputs);
  const admin = await makeAdmin(dir);
  const socket = join(dir, 'deploy.sock');
  const stateDir = join(dir, 'state');
  const proc = new LoggedProcess(`executor ${label}`);
  let n = 0;
  const bed: Bed = {
    dir,
    inputs,
    socket,
    stateDir,
    admin,
    proc,
    async start(deployers, extra = {}) {
      await proc.stop();
      const config = {
        trustedKeys: [admin.pubPath],
        stateDir,
        socket,
        inputDirs: [inputs],
        deployers,
        logLevel: 'debug',
        ...extra,
      };
      await writeFile(join(dir, 'deploy.json'), JSON.stringify(config));
      await proc.start(
        process.execPath,
        [BIN, 'deploy-executor', '--config', join(dir, 'deploy.json')],
        'deploy executor started',
      );
    },
    async update(uri, version, bytes = 4096, by = admin, expires = undefined) {
      const name = `p${++n}-v${version}.bin`;
      const payload = await makePayload(inputs, name, bytes);
      const o = { uri, version, ...(expires === undefined ? {} : { expires }) };
      const t = await sign(by, payload, join(inputs, `${name}.torrent`), o);
      return { uri, version, infoHash: t.infoHash, torrent: t.path, payload };
    },
    async ask(req) {
      const line = typeof req === 'string' ? req : `${JSON.stringify(req)}\n`;
      const text = await askRaw(socket, line);
      return JSON.parse(text.trim()) as Record<string, unknown>;
    },
    deployReq: (u, patch = {}) => ({
      type: 'deploy',
      uri: u.uri,
      version: u.version,
      infoHash: u.infoHash,
      torrent: u.torrent,
      payload: u.payload,
      ...patch,
    }),
    record: async () =>
      JSON.parse(await readFile(join(stateDir, 'record.json'), 'utf8').catch(() => '{"uris":{}}')) as Record<
        string,
        unknown
      >,
    async close() {
      await proc.stop();
      await tmp.remove();
    },
  };
  return bed;
}

/** A script deployer that appends "URI VERSION SHA256-of-P2PU_FILE uid" to DIR/deploy.log. */
export async function recorderScript(dir: string): Promise<string> {
  const path = join(dir, 'recorder.sh');
  await writeFile(
    path,
    [
      '#!/bin/sh',
      'set -eu',
      'out=${1:?usage: recorder.sh DIR}',
      'gate="$out/gate"',
      'i=0',
      'while [ -e "$out/hold" ] && [ ! -e "$gate" ]; do i=$((i + 1)); [ "$i" -le 600 ] || exit 3; sleep 0.1; done',
      'sum=$(sha256sum "$P2PU_FILE" | cut -d" " -f1)',
      'echo "$P2PU_URI $P2PU_VERSION $sum $(id -u)" >>"$out/deploy.log"',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return path;
}
