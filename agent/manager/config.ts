/**
 * The manager's configuration: one typed, immutable object (STYLE.md rule 11). Defaults
 * are stated here; docs/manager.md has the reference and docs/config/manager.example.json
 * an annotated example. Validation lives in config-validate.ts, file reading in
 * config-load.ts.
 */

export interface ManagerConfig {
  /** Paths of trusted admin Ed25519 public keys (PEM). At least one. */
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
    /** Interval while the daemon downloads and after its first announce (lever A); 0 = `intervalS`. */
    readonly fastIntervalS: number;
    /** `min interval` of every reply (lever A). */
    readonly minIntervalS: number;
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
  /** Levers against Transmission's fixed delays (issue 17, docs/manager.md §Speed). */
  readonly speed: SpeedConfig;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export interface SpeedConfig {
  /** Lever R: force Transmission's rechoke pass (tiny torrent) when a peer appears or wants data. */
  readonly rechoke: boolean;
  /** Least time between two forced rechokes. */
  readonly rechokeMinGapMs: number;
  /** Forced rechokes per torrent at most (each writes the tiny torrent's resume file). */
  readonly rechokeMaxPulses: number;
  /** How often watched torrents' peers are read (rechoke and origin shaping). */
  readonly watchPollMs: number;
  /** A torrent is watched this long after it was added, completed or got new peers. */
  readonly watchWindowMs: number;
  /** Lever H: stop and start the torrent before the payload check (the daemon needs no flush). */
  readonly flushBeforeCheck: boolean;
  /** Lever H: hash the payload again before each deploy attempt even if the file is unchanged. */
  readonly rehashBeforeDeploy: boolean;
  /** Lever H: a placed payload's mtime is set 2 s back so Transmission 4.x takes it without a hash pass. */
  readonly backdatePayload: boolean;
  /** Lever A: on new peers from natm, reannounce when the daemon will accept it (deferred if not yet). */
  readonly announceKick: boolean;
  /** Lever C: poll a download this often near its end (0 = always `transmission.pollMs`). */
  readonly nearEndPollMs: number;
  /** Lever O: limit the publishing node's upload once the swarm holds every piece. */
  readonly originShaping: 'off' | 'complete-peer' | 'estimate';
  readonly originLimitKBps: number;
  readonly originUploadFactor: number;
  readonly originSumFactor: number;
  /** With only the estimate, the limit is this fraction of the fastest upload seen (at least originLimitKBps). */
  readonly originEstimateFraction: number;
  readonly originStarveMs: number;
  readonly originHoldMs: number;
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
  tracker: { host: '127.0.0.1', port: 6969, intervalS: 30, fastIntervalS: 1, minIntervalS: 1 },
  executorSocket: '/run/p2p-update-deploy.sock',
  speed: {
    rechoke: true,
    rechokeMinGapMs: 1000,
    rechokeMaxPulses: 30,
    watchPollMs: 250,
    watchWindowMs: 60_000,
    flushBeforeCheck: false,
    rehashBeforeDeploy: false,
    backdatePayload: true,
    announceKick: true,
    nearEndPollMs: 100,
    originShaping: 'estimate',
    originLimitKBps: 20,
    originUploadFactor: 1.2,
    originSumFactor: 2,
    originEstimateFraction: 0.25,
    originStarveMs: 15_000,
    originHoldMs: 5_000,
  },
  deploy: {
    timeoutMs: 3_600_000,
    maxAttempts: 3,
    backoffMs: 5_000,
    backoffMaxMs: 300_000,
    outputCapBytes: 65_536,
  },
  logLevel: 'info',
} as const;
