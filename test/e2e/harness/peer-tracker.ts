/**
 * The manager's own tracker (agent/lib/tracker) run on its own, for the bare swarm test:
 * a peer-injection channel into Transmission (which has no add-peer RPC; LAB-NOTES).
 * Run inside a node's namespace:  node --import tsx peer-tracker.ts PORT [IP:PORT ...]
 * The peers are listed for every torrent, as leechers. Prints "listening" when ready.
 */
import { createLogger } from '../../../agent/lib/common/logger.ts';
import { PeerTable } from '../../../agent/lib/tracker/peer-table.ts';
import { Tracker } from '../../../agent/lib/tracker/tracker.ts';

const [port = '7070', ...peerArgs] = process.argv.slice(2);
const peers = peerArgs.map((p) => {
  const [ip = '', pt = '0'] = p.split(':');
  return { ip, port: Number(pt) };
});
const tracker = new Tracker(
  { peers: new PeerTable(peers), log: createLogger({ level: 'debug', name: 'peer-tracker' }) },
  { host: '127.0.0.1', port: Number(port), intervalS: 10 },
);
await tracker.start();
process.stdout.write(`listening on ${tracker.url}\n`);
