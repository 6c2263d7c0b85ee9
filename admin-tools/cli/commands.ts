/**
 * Every subcommand of `p2p-update`, loaded lazily so that a command only pays for what
 * it imports. Each module exports `run(argv): Promise<exitCode>`.
 */
export interface Command {
  readonly summary: string;
  readonly load: () => Promise<{ run(argv: string[]): Promise<number> }>;
}

export const COMMANDS: Record<string, Command> = {
  keygen: { summary: 'make an admin Ed25519 key pair', load: () => import('../keygen.ts') },
  create: { summary: 'turn an update file into a signed torrent-file++', load: () => import('../create.ts') },
  verify: {
    summary: 'check a torrent-file++ (and its payload) against admin keys',
    load: () => import('../verify.ts'),
  },
  sign: {
    summary: 'add signatures to a torrent-file++ (same infohash)',
    load: () => import('../sign.ts'),
  },
  show: { summary: 'print what a torrent-file++ holds', load: () => import('../show.ts') },
  root: {
    summary: 'the root of trust: init, sign, rotate, show',
    load: () => import('../root-run.ts'),
  },
  ca: {
    summary: "the cluster's certificate authority: init, sign, revoke, list",
    load: () => import('../ca.ts'),
  },
  enroll: { summary: 'request and fetch this node’s certificate', load: () => import('../enroll.ts') },
  'enroll-server': {
    summary: 'enrollment service with the admin web page',
    load: () => import('../../agent/enroll-server/cli.ts'),
  },
  natm: { summary: 'run the NAT traversal process of a node', load: () => import('../../agent/natm/cli.ts') },
  rendezvous: {
    summary: 'run a rendezvous server (STUN, session table, relay)',
    load: () => import('../../agent/rendezvous/cli.ts'),
  },
  'natm-stats': {
    summary: 'print the counters of a running natm or rendezvous',
    load: () => import('../../agent/natm/stats-cli.ts'),
  },
  'natm-keygen': {
    summary: 'print a new random cluster key (base64)',
    load: () => import('../../agent/natm/keygen-cli.ts'),
  },
  manager: {
    summary: 'run the node manager daemon',
    load: () => import('../../agent/manager/cli/manager.ts'),
  },
  'deploy-executor': {
    summary: 'run the root-side deploy executor (the only part that deploys)',
    load: () => import('../../agent/deploy-executor/cli.ts'),
  },
  publish: {
    summary: "drop a torrent-file++ (and payload) into this node's inbox",
    load: () => import('../../agent/manager/cli/publish.ts'),
  },
  status: {
    summary: "show this node's updates and versions",
    load: () => import('../../agent/manager/cli/status.ts'),
  },
  members: { summary: "list the fleet as this node's natm sees it", load: () => import('../members.ts') },
};
