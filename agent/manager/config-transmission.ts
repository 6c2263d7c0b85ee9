/**
 * The manager config's `transmission` section: the local transmission-daemon's RPC. With
 * a `username`, exactly one of `password` and `passwordFile`; without, neither.
 */
import { absPath, int, section, text } from '../lib/config/fields.ts';

export const TRANSMISSION_DEFAULTS = {
  url: 'http://127.0.0.1:9091/transmission/rpc',
  timeoutMs: 10_000,
  pollMs: 1_000,
  stallMs: 30_000,
} as const;

const D = TRANSMISSION_DEFAULTS;

export const transmissionSchema = section({
  url: text('an http(s) URL')
    .regex(/^https?:\/\/[^/\s]+\/\S*$/, { error: 'an http(s) URL' })
    .default(D.url)
    .describe('transmission-daemon RPC endpoint.'),
  username: text()
    .optional()
    .describe("rpc-username of the daemon's settings.json (the package's postinst makes p2p-update)."),
  password: text().optional().describe('The RPC password inline (or passwordFile).'),
  passwordFile: absPath()
    .optional()
    .describe(
      'A file holding the RPC password, read at start-up: one line, or JSON with a "password" key (the package writes /etc/p2p-update/transmission-rpc.json).',
    ),
  downloadDir: absPath().describe(
    "Where the daemon stores payloads (each torrent in <infohash>/); the manager's view of the same path.",
  ),
  timeoutMs: int(100, 600_000).default(D.timeoutMs).describe('Per RPC call.'),
  pollMs: int(100, 60_000).default(D.pollMs).describe("How often a download's progress is read."),
  stallMs: int(0, 3_600_000)
    .default(D.stallMs)
    .describe('A download with no new byte for this long is removed (data kept) and added again; 0 = never.'),
})
  .superRefine((t, ctx) => {
    const secret = t.password ?? t.passwordFile;
    if (t.username === undefined && secret !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['username'],
        message: 'a username with the password',
        input: undefined,
      });
    if (t.username !== undefined && (t.password === undefined) === (t.passwordFile === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['password'],
        message: 'exactly one of password and passwordFile with the username',
        input: secret,
      });
  })
  .describe(
    'The local transmission-daemon. With username, exactly one of password and passwordFile; without, neither.',
  );
