/**
 * The manager's half of the natm IPC contract (docs/protocol/ipc.md), for the fleet bed,
 * where no manager runs: one client per agent's IPC socket, all in the bench process. It
 * says `hello`, and for each `notification` it verifies the torrent-file++ as the manager
 * would (agent/lib/metainfo: signature by the admin key, expiry) and answers `relay`, so
 * natm spreads it; a refusal is answered with `verdict`. It records when each agent first
 * handed up each notification id. What it leaves out of the manager: Transmission, the
 * state file and the deploy.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import { decodeNatmMessage, encodeLine, type ManagerMessage } from '../../agent/lib/ipc/contract.ts';
import { LineSplitter, parseMessage } from '../../agent/lib/ipc/ndjson.ts';
import type { PublicKey } from '../../agent/lib/crypto/keys.ts';
import { verifyTorrentPlusPlus } from '../../agent/lib/metainfo/verify.ts';

const RETRY_MS = 500;

export class ManagerStub {
  /** agent name → notification id → ms since the epoch it arrived. */
  readonly notified = new Map<string, Map<string, number>>();
  readonly refused: Array<{ agent: string; code: string }> = [];
  private readonly sockets = new Map<string, net.Socket>();
  private closed = false;

  constructor(private readonly trusted: readonly PublicKey[]) {}

  /** Connects to `path` (retrying while the socket does not exist yet) and keeps the link. */
  attach(agent: string, path: string): void {
    if (this.closed) return;
    const c = net.connect(path);
    const lines = new LineSplitter();
    c.on('connect', () => {
      this.sockets.set(agent, c);
      this.send(agent, { type: 'hello', agentVersion: 'natm-fleet-bench', btPort: 51413 });
    });
    c.on('data', (d: Buffer) => {
      for (const line of lines.push(d)) void this.onLine(agent, line);
    });
    c.on('error', () => undefined);
    c.on('close', () => {
      if (this.sockets.get(agent) === c) this.sockets.delete(agent);
      if (!this.closed) setTimeout(() => this.attach(agent, path), RETRY_MS).unref();
    });
  }

  get connected(): number {
    return this.sockets.size;
  }

  /** The publisher's manager accepted an update: hand it to natm as the manager does. */
  publish(agent: string, torrent: Uint8Array, uri: string, version: number, infoHash: string): string {
    const id = createHash('sha256').update(torrent).digest('hex');
    if (!this.send(agent, { type: 'relay', id, uri, version, infoHash, torrent }))
      throw new Error(`${agent}: no IPC connection to publish on`);
    return id;
  }

  /** Agents that have handed up `id`, with the time they did. */
  reached(id: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const [agent, ids] of this.notified) {
      const t = ids.get(id);
      if (t !== undefined) out.set(agent, t);
    }
    return out;
  }

  private send(agent: string, m: ManagerMessage): boolean {
    const c = this.sockets.get(agent);
    if (!c || c.destroyed) return false;
    c.write(encodeLine(m));
    return true;
  }

  private async onLine(agent: string, line: string): Promise<void> {
    const m = decodeNatmMessage(parseMessage(line));
    if (m?.type !== 'notification') return;
    const seen = this.notified.get(agent) ?? new Map<string, number>();
    this.notified.set(agent, seen);
    if (!seen.has(m.id)) seen.set(m.id, Date.now());
    try {
      const v = await verifyTorrentPlusPlus(m.torrent, { trusted: this.trusted, now: Date.now() });
      this.send(agent, {
        type: 'relay',
        id: m.id,
        uri: v.uri,
        version: v.version,
        infoHash: v.infoHash,
        torrent: m.torrent,
      });
    } catch (e) {
      const code = (e as { code?: string }).code ?? 'MALFORMED';
      this.refused.push({ agent, code });
      this.send(agent, { type: 'verdict', id: m.id, accepted: false, code, reason: String(e).slice(0, 200) });
    }
  }

  close(): void {
    this.closed = true;
    for (const c of this.sockets.values()) c.destroy();
    this.sockets.clear();
  }
}
