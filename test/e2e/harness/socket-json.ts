/**
 * Reads one JSON document from a Unix socket that writes it and closes (natm's and the
 * rendezvous' stats socket). The socket file is in the run directory, so the test
 * process reaches it without entering the namespace.
 */
import net from 'node:net';

export function readSocketJson<T>(path: string, timeoutMs = 3000): Promise<T> {
  return new Promise((resolve, reject) => {
    const c = net.connect(path);
    let buf = '';
    const t = setTimeout(() => c.destroy(new Error(`${path}: timed out`)), timeoutMs);
    c.setEncoding('utf8');
    c.on('data', (d: string) => {
      buf += d;
      if (buf.length > 4 << 20) c.destroy(new Error(`${path}: answer larger than 4 MiB`));
    });
    c.on('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
    c.on('end', () => {
      clearTimeout(t);
      try {
        resolve(JSON.parse(buf) as T);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}
