/**
 * natm envelope cost: the cluster-key envelope (XChaCha20-Poly1305) against the open
 * envelope of certificate mode (Ed25519 sign + verify, node id = H(key)), per packet, for
 * a keepalive-sized and a full-sized packet. It answers "what does dropping the cluster
 * secret cost?" and "how many junk packets per second can one core check?" (a rendezvous
 * verifies every open packet before dropping it). Also Ed25519 verification of a 4 KiB
 * message by libsodium and by node's crypto (agent/lib/crypto/ed25519-verify.ts, what the
 * manager verifies torrent-file++ signatures with). Prints JSON on stdout.
 *
 *   node --import tsx bench/envelope.ts [--ms 1500]
 */
import { parseArgs } from 'node:util';
import { ed25519Verify } from '../agent/lib/crypto/ed25519-verify.ts';
import { sodium } from '../agent/lib/crypto/sodium.ts';
import { Keyring } from '../agent/lib/wire/envelope/keyring.ts';
import { ClusterKeySealer, type PacketSealer } from '../agent/lib/wire/envelope/sealer.ts';
import { SignedFramer } from '../agent/lib/wire/envelope/signed-framer.ts';

const { values } = parseArgs({ options: { ms: { type: 'string', default: '1500' } } });
const budgetMs = Number(values.ms);
const s = await sodium();

/** Runs `fn` repeatedly for about budgetMs; operations per second. */
function rate(fn: () => void): number {
  for (let i = 0; i < 200; i++) fn(); // warm-up
  let n = 0;
  const t0 = process.hrtime.bigint();
  const end = t0 + BigInt(budgetMs) * 1_000_000n;
  let now = t0;
  while (now < end) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
    now = process.hrtime.bigint();
  }
  return Math.round(n / (Number(now - t0) / 1e9));
}

const envelopes: Record<string, PacketSealer> = {
  'cluster-key': new ClusterKeySealer(s, new Keyring(s, [Buffer.alloc(32, 7).toString('base64')])),
  open: SignedFramer.ephemeral(s),
};
const sizes = { keepalive: 60, full: 1150 };
const rows = [];
for (const [name, env] of Object.entries(envelopes))
  for (const [label, size] of Object.entries(sizes)) {
    const plain = new Uint8Array(size).fill(1);
    const sealed = env.seal(plain);
    const junk = new Uint8Array(sealed);
    junk[junk.length - 1]! ^= 1;
    const sealPerSec = rate(() => env.seal(plain));
    const openPerSec = rate(() => env.open(sealed));
    const rejectPerSec = rate(() => env.open(junk));
    rows.push({
      envelope: name,
      packet: label,
      plaintextBytes: size,
      overheadBytes: env.overhead,
      sealPerSec,
      openPerSec,
      rejectJunkPerSec: rejectPerSec,
      usPerSeal: +(1e6 / sealPerSec).toFixed(1),
      usPerOpen: +(1e6 / openPerSec).toFixed(1),
    });
  }
const kp = s.crypto_sign_keypair();
const msg = new Uint8Array(4096).fill(3);
const sig = s.crypto_sign_detached(msg, kp.privateKey);
const libsodiumPerSec = rate(() => s.crypto_sign_verify_detached(sig, msg, kp.publicKey));
const nodePerSec = rate(() => ed25519Verify(sig, msg, kp.publicKey));
const verify4KiB = {
  libsodiumPerSec,
  nodePerSec,
  usPerVerify: { libsodium: +(1e6 / libsodiumPerSec).toFixed(1), node: +(1e6 / nodePerSec).toFixed(1) },
};
console.log(
  JSON.stringify(
    {
      bench: 'natm-envelope',
      node: process.version,
      cpus: (await import('node:os')).cpus().length,
      rows,
      verify4KiB,
    },
    null,
    2,
  ),
);
