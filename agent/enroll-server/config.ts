/**
 * The enrollment server's configuration: one zod schema for the file (defaults and a
 * description per key; docs/config/enroll-server.md is generated from it), loaded by the
 * one config loader into a typed, deeply frozen object. Relative paths are resolved
 * against the config file's directory. Annotated example:
 * docs/config/enroll-server.example.json.
 */
import { isIP } from 'node:net';
import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import { flag, int, list, oneOf, section, text } from '../lib/config/fields.ts';
import { loadConfigFile, parseConfig, type Frozen } from '../lib/config/load.ts';
import { limitsSchema } from './limits.ts';
import { normalizeAddress } from './source-address.ts';
import { metricsSection } from '../lib/metrics/config.ts';

/** At most this many `noticesDirs`. */
export const MAX_NOTICES_DIRS = 16;
export const MAX_TOKENS = 1000;
/** At most this many `trustedProxies`. */
export const MAX_TRUSTED_PROXIES = 16;

const DIRS = `a list of at most ${MAX_NOTICES_DIRS} directory paths`;

const token = section({
  token: z
    .string({ error: 'a string of at least 16 characters' })
    .min(16, { error: 'a string of at least 16 characters' })
    .describe('The secret a node presents.'),
  once: flag().default(true).describe('One-time: spent by the first accepted request.'),
  owner: z
    .string({ error: 'a user name' })
    .regex(/^[\w.@+-]{1,128}$/, { error: 'a user name' })
    .optional()
    .describe('If set, certificates requested with this token name this owner.'),
  label: text().optional().describe('Shown on the admin page (default "token N").'),
});

function uniqueLabels(ts: readonly { label: string }[], ctx: z.RefinementCtx): void {
  const labels = ts.map((t) => t.label);
  const at = labels.findIndex((l, i) => labels.indexOf(l) !== i);
  if (at >= 0)
    ctx.addIssue({
      code: 'custom',
      path: [at, 'label'],
      message: 'a label no other token has',
      input: labels[at],
    });
}

/** The file's schema; `baseDir` is what relative paths are resolved against. */
export function enrollServerSchema(baseDir = '.') {
  const path = (words: string) => text(words).transform((p) => resolve(baseDir, p));
  return section({
    caDir: path('a directory path').describe('The CA directory (`p2p-update ca init --dir`).'),
    listen: section({
      host: text('a host name or address')
        .default('127.0.0.1')
        .describe('Keep it on localhost behind a proxy.'),
      port: int(0, 65535).default(8470),
    })
      .prefault({})
      .describe('Where the HTTP(S) server listens.'),
    tls: section({
      certFile: path('a file path').describe('PEM certificate chain.'),
      keyFile: path('a file path').describe('PEM private key.'),
    })
      .optional()
      .describe('Serve HTTPS itself (omit behind a TLS reverse proxy).'),
    policy: oneOf(['auto', 'approve', 'auto-then-approve'])
      .default('approve')
      .describe('How requests are signed.'),
    autoLimit: int(0, 1_000_000)
      .default(10)
      .describe('auto-then-approve: how many are signed without the admin.'),
    tokens: list(token, MAX_TOKENS, `a list of at most ${MAX_TOKENS} tokens`)
      .min(1, { error: 'a non-empty list' })
      .transform((ts) => ts.map((t, i) => ({ ...t, label: t.label ?? `token ${i + 1}` })))
      .superRefine(uniqueLabels)
      .describe('Enrollment tokens; their labels are unique (pending requests are counted per label).'),
    adminPasswordHash: z
      .string({ error: 'a hash from `p2p-update enroll-server hash-password`' })
      .regex(/^scrypt\$/, { error: 'a hash from `p2p-update enroll-server hash-password`' })
      .describe('scrypt hash of the admin password: `p2p-update enroll-server hash-password`.'),
    sessionTtlMinutes: int(1, 7 * 24 * 60)
      .default(60)
      .describe('Admin session lifetime.'),
    secureCookie: flag()
      .default(false)
      .describe('Mark the session cookie Secure (always with tls; set it behind an HTTPS proxy).'),
    noticesDirs: list(path('a directory path'), MAX_NOTICES_DIRS, DIRS)
      .default([])
      .transform((ds) => [...new Set(ds)])
      .describe(
        'natm notices dirs on this host: a revocation from the admin page also drops its notice there.',
      ),
    limits: limitsSchema,
    metrics: metricsSection(),
    trustedProxies: list(
      text('an IP address').refine((a) => isIP(a) !== 0, { error: 'an IP address' }),
      MAX_TRUSTED_PROXIES,
      `a list of at most ${MAX_TRUSTED_PROXIES} IP addresses`,
    )
      .default([])
      .transform((as) => as.map(normalizeAddress))
      .describe(
        'Reverse proxies in front of the server: from these (only), the last X-Forwarded-For entry is the client address for the per-source limits.',
      ),
  })
    .transform((c) => ({ ...c, secureCookie: c.secureCookie || c.tls !== undefined }))
    .describe('p2p-update enroll-server configuration (docs/security.md).');
}

export type EnrollServerConfig = Frozen<z.output<ReturnType<typeof enrollServerSchema>>>;
export type TokenSpec = EnrollServerConfig['tokens'][number];
export type PolicyMode = EnrollServerConfig['policy'];

/** Plain JSON in, the frozen config out, or a ConfigError naming the key. Pure. */
export function validateConfig(json: unknown, baseDir = '.'): EnrollServerConfig {
  return parseConfig(enrollServerSchema(baseDir), json);
}

export async function loadConfig(path: string): Promise<EnrollServerConfig> {
  return loadConfigFile(enrollServerSchema(dirname(resolve(path))), path);
}
