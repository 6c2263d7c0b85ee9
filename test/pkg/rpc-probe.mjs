// Copied into the trixie root by deb-install.test.ts and run there with the system node,
// beside a real transmission-daemon: prints the HTTP status of RPC calls without
// credentials, with the package's credentials, and with a wrong password.
import { readFileSync } from 'node:fs';

const c = JSON.parse(readFileSync('/etc/p2p-update/transmission-rpc.json', 'utf8'));
const basic = (user, pass) => 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
const body = JSON.stringify({ method: 'session-get', arguments: { fields: ['version'] } });
const call = (headers) => fetch(c.url, { method: 'POST', body, headers });

let up = false;
for (let i = 0; i < 100 && !up; i++) {
  up = await call({}).then(
    () => true,
    () => new Promise((r) => setTimeout(() => r(false), 100)),
  );
}
const noAuth = await call({});
const handshake = await call({ authorization: basic(c.username, c.password) });
const sid = handshake.headers.get('x-transmission-session-id') ?? '';
const ok = await call({ authorization: basic(c.username, c.password), 'x-transmission-session-id': sid });
const wrong = await call({ authorization: basic(c.username, 'wrong'), 'x-transmission-session-id': sid });
const result = ok.status === 200 ? (await ok.json()).result : null;
console.log(
  JSON.stringify({ url: c.url, noAuth: noAuth.status, ok: ok.status, wrong: wrong.status, result }),
);
