/**
 * A minimal HTTP tracker used as a peer-injection channel into Transmission (which has
 * no add-peer RPC; LAB-NOTES). Run inside a node's namespace on 127.0.0.1:
 *   node --import tsx peer-tracker.ts PORT PEERS.json
 * PEERS.json: {"<infohash hex>" | "*": ["ip:port", ...]}, re-read on every announce.
 * Peers are reported as leechers (complete: 0): a seeding daemon never dials a "seed".
 * Used by the swarm test until the manager's own tracker takes over.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { encode } from '../../../agent/metainfo/bencode-strict.ts';

const [port, file] = [Number(process.argv[2]), String(process.argv[3])];

function infoHashHex(url: string): string {
  const m = /[?&]info_hash=([^&]*)/.exec(url);
  if (!m?.[1]) return '';
  const bytes: number[] = [];
  const s = m[1];
  for (let i = 0; i < s.length && bytes.length < 20; i++) {
    if (s[i] === '%') {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(s.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('hex');
}

function compact(peers: string[]): Buffer {
  return Buffer.concat(
    peers.slice(0, 50).map((p) => {
      const [ip = '', pt = '0'] = p.split(':');
      const b = Buffer.alloc(6);
      ip.split('.').forEach((o, i) => (b[i] = Number(o)));
      b.writeUInt16BE(Number(pt), 4);
      return b;
    }),
  );
}

createServer((req, res) => {
  const ih = infoHashHex(req.url ?? '');
  let table: Record<string, string[]> = {};
  try {
    table = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string[]>;
  } catch {
    // no peers yet
  }
  const peers = [...(table[ih] ?? []), ...(table['*'] ?? [])];
  process.stdout.write(`${new Date().toISOString()} announce ${ih} -> ${peers.join(',')}\n`);
  const body = {
    interval: 10,
    'min interval': 5,
    complete: 0,
    incomplete: peers.length,
    peers: compact(peers),
  };
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end(Buffer.from(encode(body)));
}).listen(port, '127.0.0.1', () => process.stdout.write(`listening on 127.0.0.1:${port}\n`));
