/**
 * The certificate authority on disk (docs/security.md §CA dir):
 *   DIR/ca.key (Ed25519, 0600)  DIR/ca.pub  DIR/ca.json {cluster, keyId, certDays}
 *   DIR/state.json (ca-state.ts)  DIR/crl.bin (latest signed list)  DIR/notices/ID.revoke
 * Every change is serialised through one queue and written atomically, so the web
 * server and the CLI never see half a state. This class only locks, loads, signs and
 * writes; every decision on the records is a pure function in ca-core.ts. Policy (who
 * gets signed) lives elsewhere.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, type Clock } from '../common/clock.ts';
import { loadPublicKey, loadSecretKey, writeKeyPair } from '../crypto/key-files.ts';
import type { SecretKey } from '../crypto/keys.ts';
import { issueCertificate, type CertAuthority, type CertFields } from '../membership/certificate.ts';
import { MembershipError } from '../membership/errors.ts';
import { membershipReady } from '../membership/na.ts';
import { parseRequest } from '../membership/request.ts';
import { signRevocationList, signRevocationNotice } from '../membership/revocation.ts';
import {
  admitRequest,
  approvable,
  isRevoked,
  requestById,
  withIssued,
  withNextCrl,
  withRejected,
  withRenewed,
  withRevoked,
} from './ca-core.ts';
import { emptyState, type CaConfig, type CaState, type NodeRecord, type RequestRecord } from './ca-state.ts';
import { EnrollError } from '../enrollment/errors.ts';
import { readJson, writeFileAtomic } from '../enrollment/json-file.ts';
import { checkRenewal } from './renewal.ts';
import { lockDir } from './state-lock.ts';

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
    await ca.#mutate(async (st) => [await ca.#publishCrl(st), undefined]);
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

  /** The node ids enrolled (certificate issued) and not revoked: reads only DIR/state.json. */
  static async enrolled(dir: string): Promise<string[]> {
    const st = await readJson<CaState>(join(dir, 'state.json'), 'CA state', 'ca');
    if (!Array.isArray(st.nodes) || !Array.isArray(st.revoked))
      throw new EnrollError('CA_IO', `${dir}/state.json: "nodes" or "revoked" is not a list`);
    return [...new Set(st.nodes.map((n) => n.nodeId))].filter((id) => !isRevoked(st, id));
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
    return requestById(this.st, id);
  }
  isRevoked(nodeId: string): boolean {
    return isRevoked(this.st, nodeId);
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
    return this.#mutate(async (st0) => {
      let req;
      try {
        req = parseRequest(csr);
      } catch (cause) {
        const m = cause instanceof MembershipError ? cause.message : 'unreadable';
        throw new EnrollError('BAD_REQUEST', `certificate request refused: ${m}`, { cause });
      }
      const record: RequestRecord = {
        id: randomBytes(16).toString('hex'),
        nodeId: req.nodeId,
        owner: opts.owner ?? req.owner,
        receivedAt: this.#nowSec(),
        csr: b64(csr),
        token: opts.token,
        status: 'pending',
      };
      const { cluster } = req;
      const admitted = admitRequest(st0, {
        record,
        cluster,
        caCluster: this.cluster,
        spendToken: opts.spendToken,
        maxPendingForToken: opts.maxPendingForToken,
      });
      const { st, rec } = admitted;
      if (!admitted.fresh || !(typeof opts.sign === 'function' ? opts.sign(st) : opts.sign)) return [st, rec];
      const node = await this.#sign({ ...req, owner: rec.owner });
      const signed = withIssued(st, rec.id, node, true);
      return [signed, requestById(signed, rec.id)!];
    });
  }

  approve(id: string): Promise<RequestRecord> {
    return this.#mutate(async (st) => {
      const rec = approvable(st, id);
      const req = parseRequest(Buffer.from(rec.csr, 'base64'));
      const signed = withIssued(st, id, await this.#sign({ ...req, owner: rec.owner }), false);
      return [signed, requestById(signed, id)!];
    });
  }

  reject(id: string): Promise<RequestRecord> {
    return this.#mutate(async (st) => {
      const next = withRejected(st, id, this.#nowSec());
      return [next, requestById(next, id)!];
    });
  }

  /** Revokes a node: new signed list (seq + 1) and a signed notice for gossip. */
  revoke(nodeId: string): Promise<{ crl: Uint8Array; notice: Uint8Array; noticePath: string }> {
    return this.#mutate(async (st) => {
      const now = this.#nowSec();
      const revoked = withRevoked(st, nodeId, now);
      const notice = await signRevocationNotice(
        { cluster: this.cluster, nodeId, issuedAt: now },
        this.#signer(),
      );
      const noticePath = join(this.dir, 'notices', `${nodeId}.revoke`);
      await writeFileAtomic(noticePath, notice, 0o644);
      const published = await this.#publishCrl(revoked);
      return [published, { crl: this.#crl, notice, noticePath }];
    });
  }

  /**
   * Renews a node's certificate (renewal.ts checks it): same node id, keys and owner, new
   * issue and expiry. No token and no policy: the holder of a valid certificate gets
   * nothing it does not have already.
   */
  renew(cert: Uint8Array, csr: Uint8Array): Promise<NodeRecord> {
    return this.#mutate(async (st) => {
      const { cert: old } = checkRenewal(cert, csr, {
        ca: this.authority,
        cluster: this.cluster,
        now: this.clock.now(),
        isRevoked: (id) => isRevoked(st, id),
      });
      const node = await this.#sign(old);
      return [withRenewed(st, node), node];
    });
  }

  /** A certificate valid `certDays` from now, as the node's record. */
  async #sign(f: Pick<CertFields, 'nodeId' | 'owner' | 'signKey' | 'kxKey'>): Promise<NodeRecord> {
    const now = this.#nowSec();
    const expires = now + this.config.certDays * 86400;
    const fields = { nodeId: f.nodeId, owner: f.owner, signKey: f.signKey, kxKey: f.kxKey };
    const cert = await issueCertificate(
      { cluster: this.cluster, ...fields, issuedAt: now, expires },
      this.#signer(),
    );
    return { nodeId: f.nodeId, owner: f.owner, issuedAt: now, expires, cert: b64(cert) };
  }

  #signer(): { keyId: string; secretKey: Uint8Array } {
    return { keyId: this.config.keyId, secretKey: this.secret.sodiumKey };
  }

  /** Signs and writes the next revocation list; the state with its sequence number. */
  async #publishCrl(st: CaState): Promise<CaState> {
    const next = withNextCrl(st);
    this.#crl = await signRevocationList(
      { cluster: this.cluster, seq: next.seq, issuedAt: this.#nowSec(), ids: next.ids },
      this.#signer(),
    );
    await writeFileAtomic(join(this.dir, 'crl.bin'), this.#crl, 0o644);
    return next.st;
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
   * on freshly loaded state; then saves the state it returns, and returns its answer.
   */
  #mutate<T>(fn: (st: CaState) => Promise<[CaState, T]>): Promise<T> {
    const run = this.#queue.then(async () => {
      const release = await lockDir(this.dir);
      try {
        await this.refresh();
        const [next, out] = await fn(this.st);
        const path = join(this.dir, 'state.json');
        await writeFileAtomic(path, JSON.stringify(next, null, 2));
        this.st = next;
        this.#loadedMtime = (await stat(path)).mtimeMs;
        return out;
      } catch (e) {
        this.#loadedMtime = -1; // a file may hold half a change: reload from disk next time
        throw e;
      } finally {
        await release();
      }
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
