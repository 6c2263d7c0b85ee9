/**
 * A tiny UDP tool run inside a namespace (`node --import tsx udp-agent.ts`), driven over
 * stdin/stdout with one JSON object per line, so one process per namespace answers a
 * whole topology test. Commands: {op:'bind', id, port, echo?} {op:'send', id, to, port,
 * data} {op:'close', id}. Events: {ev:'ready'} {ev:'bound', id, port} {ev:'recv', id,
 * from, fromPort, data} {ev:'error', id, message}. With echo, every datagram received is
 * answered once with `echo:<data>` (never an echo of an echo). Never throws on input.
 */
import dgram from 'node:dgram';
import { createInterface } from 'node:readline';

const sockets = new Map<string, dgram.Socket>();
const emit = (o: object): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
};

function handle(cmd: Record<string, unknown>): void {
  const id = String(cmd['id'] ?? '');
  if (cmd['op'] === 'bind') {
    const s = dgram.createSocket('udp4');
    s.on('error', (e) => emit({ ev: 'error', id, message: e.message }));
    s.on('message', (m, r) => {
      const data = m.toString('utf8').slice(0, 200);
      emit({ ev: 'recv', id, from: r.address, fromPort: r.port, data });
      if (cmd['echo'] === true && !data.startsWith('echo:')) s.send(`echo:${data}`, r.port, r.address);
    });
    s.bind(Number(cmd['port'] ?? 0), () => emit({ ev: 'bound', id, port: s.address().port }));
    sockets.set(id, s);
  } else if (cmd['op'] === 'send') {
    const s = sockets.get(id);
    if (!s) return emit({ ev: 'error', id, message: 'no such socket' });
    s.send(String(cmd['data'] ?? ''), Number(cmd['port']), String(cmd['to']), (e) => {
      if (e) emit({ ev: 'error', id, message: e.message });
    });
  } else if (cmd['op'] === 'close') {
    sockets.get(id)?.close();
    sockets.delete(id);
  } else emit({ ev: 'error', id, message: `unknown op ${String(cmd['op'])}` });
}

createInterface({ input: process.stdin }).on('line', (line) => {
  try {
    handle(JSON.parse(line) as Record<string, unknown>);
  } catch (e) {
    emit({ ev: 'error', id: '', message: `bad command: ${String(e)}` });
  }
});
process.stdin.on('end', () => process.exit(0));
emit({ ev: 'ready' });
