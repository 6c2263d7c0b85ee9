/**
 * The manager's configuration: one typed, immutable object (STYLE.md rule 11). Defaults
 * are stated here; docs/manager.md has the reference and docs/config/manager.example.json
 * an annotated example. Validation lives in config-validate.ts, file reading in
 * config-load.ts.
 */

export interface ManagerConfig {
  /**
   * The root chain installed with the node (`p2p-update root`): its first root is trusted
   * as installed, the rest walked from it; newer roots arrive in-band and are kept in
   * stateDir/root.chain (docs/adr/0003-root-of-trust.md). Null: plain `trustedKeys`.
   */
  readonly root: string | null;
  /** Without `root`: trusted admin Ed25519 public keys (PEM), any one signs (1 of n). */
  readonly trustedKeys: readonly string[];
  /** Version store, accepted torrents, deploy work files. */
  readonly stateDir: string;
  /** Watched directory: X.torrent (+ payload named as info.name beside it). */
  readonly inboxDir: string;
  /**
   * An inbox torrent that ends early (a copy in progress) is kept until it has not changed
   * for this long, re-read on every change, then refused as truncated; a payload shorter
   * than its accepted torrent says is kept and matched whenever it completes.
   */
  readonly inboxIncompleteMs: number;
  readonly transmission: {
    readonly url: string;
    readonly username?: string;
    /** With `username`: the password inline, or (exclusive) `passwordFile` holding it. */
    readonly password?: string;
    /** A file holding the RPC password: plain text, or JSON with a "password" key. */
    readonly passwordFile?: string;
    /** Where Transmission stores payloads; must be the daemon's view of the same path. */
    readonly downloadDir: string;
    readonly timeoutMs: number;
    readonly pollMs: number;
    /** A download with no new byte for this long is removed and re-added (0: never). */
    readonly stallMs: number;
  };
  readonly tracker: {
    readonly host: string;
    /** 0 picks a free port at start (fine for tests; a fixed port survives restarts). */
    readonly port: number;
    /** "ip:port" BitTorrent peers listed for every torrent until natm supplies peers. */
    readonly peers: readonly string[];
    readonly intervalS: number;
  };
  /** natm's IPC socket (docs/protocol/ipc.md); null runs without natm. */
  readonly natmSocket: string | null;
  /**
   * The deploy executor's socket (docs/protocol/executor.md). The executor's config says
   * which URIs are accepted and how each is deployed; the manager only asks.
   */
  readonly executorSocket: string;
  readonly deploy: {
    /** How long the manager waits for the executor's answer to one deploy request. */
    readonly timeoutMs: number;
    readonly maxAttempts: number;
    readonly backoffMs: number;
    readonly backoffMaxMs: number;
    /** Bytes of the deployer's output (as the executor returns it) logged. */
    readonly outputCapBytes: number;
  };
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export const DEFAULT_CONFIG_PATH = '/etc/p2p-update/manager.json';

export const DEFAULTS = {
  inboxIncompleteMs: 60_000,
  transmission: {
    url: 'http://127.0.0.1:9091/transmission/rpc',
    timeoutMs: 10_000,
    pollMs: 1_000,
    stallMs: 30_000,
  },
  tracker: { host: '127.0.0.1', port: 6969, intervalS: 30 },
  executorSocket: '/run/p2p-update-deploy.sock',
  deploy: {
    timeoutMs: 3_600_000,
    maxAttempts: 3,
    backoffMs: 5_000,
    backoffMaxMs: 300_000,
    outputCapBytes: 65_536,
  },
  logLevel: 'info',
} as const;
