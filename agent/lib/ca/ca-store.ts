/**
 * The certificate authority on disk (docs/security.md §CA dir):
 *   DIR/ca.key (Ed25519, 0600)  DIR/ca.pub  DIR/ca.json {cluster, keyId, certDays}
 *   DIR/state.json (ca-state.ts)  DIR/crl.bin (latest signed list)  DIR/notices/ID.revoke
 * Every change is serialised through one queue and written atomically, so the web
 * server and the CLI never see half a state. Policy (who gets signed) lives elsewhere.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open as openFile, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, type Clock } from '../common/clock.ts';
import { loadPublicKey, loadSecretKey, writeKeyPair } from '../crypto/key-files.ts';
import type { SecretKey } from '../crypto/keys.ts';
import { issueCertificate, type CertAuthority, type CertFields } from '../membership/certificate.ts';
import { MembershipError } from '../membership/errors.ts';
import { membershipReady } from '../membership/na.ts';
import { isNodeId } from '../membership/node-id.ts';
import { parseRequest } from '../membership/request.ts';
import { signRevocationList, signRevocationNotice } from '../membership/revocation.ts';
import {
  emptyState,
  MAX_PENDING,
  type CaConfig,
  type CaState,
  type NodeRecord,
  type RequestRecord,
} from './ca-state.ts';
import { EnrollError } from '../enrollment/errors.ts';
import { readJson, writeFileAtomic } from '../enrollment/json-file.ts';
import { checkRenewal } from './renewal.ts';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

export class CaStore {
  #queue: Promise<unknown> = Promise.resolve();
  #loadedMtime = -1;
  #crl: Uint8Array;

  private constructor(
    readonly dir: string,
    readonly config: CaConfig,
    readonly authority: CertAuthority,
    private readonly secret: SecretKey,
    private st: CaState,
    crl: Uint8Array,
    private readonly clock: Pick<Clock, 'now'>,
  ) {
    this.#crl = crl;
  }

  static async init(dir: string, init: { cluster: string; certDays?: number }): Promise<CaConfig> {
    if (!/^[\w.-]{1,64}$/.test(init.cluster))
      throw new EnrollError(
        'BAD_REQUEST',
        `cluster name must be 1-64 of [A-Za-z0-9_.-], got "${init.cluster}"`,
      );
    if (existsSync(join(dir, 'ca.json'))) throw new EnrollError('CA_EXISTS', `${dir} already holds a CA`);
    await mkdir(join(dir, 'notices'), { recursive: true, mode: 0o700 });
    const { keyId } = await writeKeyPair(join(dir, 'ca'));
    const config: CaConfig = { cluster: init.cluster, keyId, certDays: init.certDays ?? 365 };
    await writeFileAtomic(join(dir, 'ca.json'), JSON.stringify(config, null, 2) + '\n', 0o644);
    await writeFileAtomic(join(dir, 'state.json'), JSON.stringify(emptyState(), null, 2));
    const ca = await CaStore.open(dir);
    await ca.#mutate(() => ca.#publishCrl());
    return config;
  }

  static async open(dir: string, clock: Pick<Clock, 'now'> = systemClock): Promise<CaStore> {
    await membershipReady();
    const config = await readJson<CaConfig>(join(dir, 'ca.json'), 'CA config', 'ca');
    const secret = await loadSecretKey(join(dir, 'ca.key'));
    const pub = await loadPublicKey(join(dir, 'ca.pub'));
    if (pub.keyId !== config.keyId || secret.publicKey.keyId !== config.keyId)
      throw new EnrollError('CA_IO', `${dir}: ca.key, ca.pub and ca.json name different keys`);
    const st = await readJson<CaState>(join(dir, 'state.json'), 'CA state', 'ca');
    const crlPath = join(dir, 'crl.bin');
    const crl = existsSync(crlPath) ? new Uint8Array(await readFile(crlPath)) : new Uint8Array(0);
    return new CaStore(dir, config, { keyId: pub.keyId, publicKey: pub.bytes }, secret, st, crl, clock);
  }

  get cluster(): string {
    return this.config.cluster;
  }
  get state(): Readonly<CaState> {
    return this.st;
  }
  get crl(): Uint8Array {
    return this.#crl;
  }
  request(id: string): RequestRecord | undefined {
    return this.st.requests.find((r) => r.id === id);
  }
  isRevoked(nodeId: string): boolean {
    return this.st.revoked.some((r) => r.nodeId === nodeId);
  }

  /** Records a request; `sign` issues at once. Idempotent per node id while pending/issued. */
  submit(
    csr: Uint8Array,
    opts: {
      token: string;
      owner?: string;
      /** Sign at once? Decided inside the lock, on the fresh state (auto-then-approve counts). */
      sign: boolean | ((st: Readonly<CaState>) => boolean);
      spendToken?: string;
      /** Pending requests allowed under `token` (so one token cannot fill MAX_PENDING). */
      maxPendingForToken?: number;
    },
  ): Promise<RequestRecord> {
    return this.#mutate(async () => {
      let req;
      try {
        req = parseRequest(csr);
      } catch (cause) {
        const m = cause instanceof MembershipError ? cause.message : 'unreadable';
        throw new EnrollError('BAD_REQUEST', `certificate request refused: ${m}`, { cause });
      }
      if (req.cluster !== this.cluster)
        throw new EnrollError(
          'BAD_REQUEST',
          `request is for cluster "${req.cluster}", this CA serves "${this.cluster}"`,
        );
      if (this.isRevoked(req.nodeId)) throw new EnrollError('REVOKED', `node ${req.nodeId} is revoked`);
      const prior = this.st.requests.find((r) => r.nodeId === req.nodeId && r.status !== 'rejected');
      if (prior) return prior;
      const spend = opts.spendToken;
      if (spend && this.st.spentTokens.includes(spend))
        throw new EnrollError('BAD_TOKEN', 'this one-time enrollment token was already used');
      const pending = this.st.requests.filter((r) => r.status === 'pending');
      if (pending.length >= MAX_PENDING)
        throw new EnrollError('THROTTLED', `too many pending requests (${MAX_PENDING}); ask the admin`);
      const max = opts.maxPendingForToken ?? MAX_PENDING;
      if (pending.filter((r) => r.token === opts.token).length >= max)
        throw new EnrollError(
          'THROTTLED',
          `too many pending requests for token "${opts.token}" (${max}); ask the admin to approve or reject some`,
        );
      const rec: RequestRecord = {
        id: randomBytes(16).toString('hex'),
        nodeId: req.nodeId,
        owner: opts.owner ?? req.owner,
        receivedAt: this.#nowSec(),
        csr: b64(csr),
        token: opts.token,
        status: 'pending',
      };
      this.st.requests.push(rec);
      if (spend) this.st.spentTokens.push(spend);
      if (typeof opts.sign === 'function' ? opts.sign(this.st) : opts.sign) {
        await this.#issue(rec);
        this.st.autoSigned++;
      }
      return rec;
    });
  }

  approve(id: string): Promise<RequestRecord> {
    return this.#mutate(async () => {
      const rec = this.#pending(id);
      if (this.isRevoked(rec.nodeId)) throw new EnrollError('REVOKED', `node ${rec.nodeId} is revoked`);
      await this.#issue(rec);
      return rec;
    });
  }

  reject(id: string): Promise<RequestRecord> {
    return this.#mutate(async () => {
      const rec = this.#pending(id);
      rec.status = 'rejected';
      rec.decidedAt = this.#nowSec();
      return rec;
    });
  }

  /** Revokes a node: new signed list (seq + 1) and a signed notice for gossip. */
  revoke(nodeId: string): Promise<{ crl: Uint8Array; notice: Uint8Array; noticePath: string }> {
    return this.#mutate(async () => {
      if (!isNodeId(nodeId))
        throw new EnrollError('BAD_REQUEST', `"${nodeId}" is not a node id (32 hex digits)`);
      const now = this.#nowSec();
      if (!this.isRevoked(nodeId)) this.st.revoked.push({ nodeId, at: now });
      for (const r of this.st.requests)
        if (r.nodeId === nodeId && r.status === 'pending')
          Object.assign(r, { status: 'rejected', decidedAt: now });
      const signer = { keyId: this.config.keyId, secretKey: this.secret.sodiumKey };
      const notice = await signRevocationNotice({ cluster: this.cluster, nodeId, issuedAt: now }, signer);
      const noticePath = join(this.dir, 'notices', `${nodeId}.revoke`);
      await writeFileAtomic(noticePath, notice, 0o644);
      await this.#publishCrl();
      return { crl: this.#crl, notice, noticePath };
    });
  }

  /**
   * Renews a node's certificate (renewal.ts checks it): same node id, keys and owner, new
   * issue and expiry. No token and no policy: the holder of a valid certificate gets
   * nothing it does not have already. The node's issued request then hands out the new
   * certificate too, so a re-run of `enroll` never brings the old one back.
   */
  renew(cert: Uint8Array, csr: Uint8Array): Promise<NodeRecord> {
    return this.#mutate(async () => {
      const { cert: old } = checkRenewal(cert, csr, {
        ca: this.authority,
        cluster: this.cluster,
        now: this.clock.now(),
        isRevoked: (id) => this.isRevoked(id),
      });
      const node = await this.#sign(old);
      for (const r of this.st.requests)
        if (r.nodeId === node.nodeId && r.status === 'issued') r.cert = node.cert;
      return node;
    });
  }

  #pending(id: string): RequestRecord {
    const rec = this.request(id);
    if (!rec || rec.status !== 'pending') throw new EnrollError('NOT_FOUND', `no pending request ${id}`);
    return rec;
  }

  async #issue(rec: RequestRecord): Promise<void> {
    const req = parseRequest(Buffer.from(rec.csr, 'base64'));
    const node = await this.#sign({ ...req, owner: rec.owner });
    rec.status = 'issued';
    rec.decidedAt = node.issuedAt;
    rec.cert = node.cert;
  }

  /** Signs a certificate valid `certDays` from now and makes it the node's record. */
  async #sign(f: Pick<CertFields, 'nodeId' | 'owner' | 'signKey' | 'kxKey'>): Promise<NodeRecord> {
    const now = this.#nowSec();
    const expires = now + this.config.certDays * 86400;
    const fields = { nodeId: f.nodeId, owner: f.owner, signKey: f.signKey, kxKey: f.kxKey };
    const cert = await issueCertificate(
      { cluster: this.cluster, ...fields, issuedAt: now, expires },
      { keyId: this.config.keyId, secretKey: this.secret.sodiumKey },
    );
    const node: NodeRecord = { nodeId: f.nodeId, owner: f.owner, issuedAt: now, expires, cert: b64(cert) };
    this.st.nodes = this.st.nodes.filter((n) => n.nodeId !== f.nodeId);
    this.st.nodes.push(node);
    return node;
  }

  async #publishCrl(): Promise<void> {
    this.st.crlSeq++;
    const ids = this.st.revoked.map((r) => r.nodeId);
    const signer = { keyId: this.config.keyId, secretKey: this.secret.sodiumKey };
    this.#crl = await signRevocationList(
      { cluster: this.cluster, seq: this.st.crlSeq, issuedAt: this.#nowSec(), ids },
      signer,
    );
    await writeFileAtomic(join(this.dir, 'crl.bin'), this.#crl, 0o644);
  }

  #nowSec(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  /**
   * Reloads state.json and crl.bin if another process (the CLI next to the server)
   * changed them. Cheap: one stat when nothing changed.
   */
  async refresh(): Promise<void> {
    const m = (await stat(join(this.dir, 'state.json'))).mtimeMs;
    if (m === this.#loadedMtime) return;
    this.st = await readJson<CaState>(join(this.dir, 'state.json'), 'CA state', 'ca');
    const crlPath = join(this.dir, 'crl.bin');
    if (existsSync(crlPath)) this.#crl = new Uint8Array(await readFile(crlPath));
    this.#loadedMtime = m;
  }

  /**
   * Runs `fn` after every earlier change, holding DIR/state.lock against other processes,
   * on freshly loaded state; then saves state.json.
   */
  #mutate<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(async () => {
      const release = await lockDir(this.dir);
      try {
        await this.refresh();
        const out = await fn();
        const path = join(this.dir, 'state.json');
        await writeFileAtomic(path, JSON.stringify(this.st, null, 2));
        this.#loadedMtime = (await stat(path)).mtimeMs;
        return out;
      } catch (e) {
        this.#loadedMtime = -1; // memory may hold half a change: reload from disk next time
        throw e;
      } finally {
        await release();
      }
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

/** An exclusive lock file; a lock older than 30 s is taken over (its holder died). */
async function lockDir(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, 'state.lock');
  for (let i = 0; i < 200; i++) {
    try {
      await (await openFile(path, 'wx', 0o600)).close();
      return () => rm(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const age = Date.now() - (await stat(path).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > 30_000) await rm(path, { force: true });
      else await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new EnrollError('CA_IO', `${path}: CA state locked by another process for over 10 s`);
}
