/**
 * The executor config's `deployers` section: URI prefix → deployer (script, puppet or
 * deb), each with the user it runs as and the systemd sandbox of its transient unit.
 */
import * as z from 'zod';
import { absPath, int, list, section } from '../lib/config/fields.ts';

const ARG = 'a string of at most 4096 characters';
const args = (what: string) =>
  list(z.string({ error: ARG }).max(4096, { error: ARG }), 64, 'a list of at most 64 arguments')
    .default([])
    .describe(what);

export const userName = z
  .string({ error: 'a system user name' })
  .regex(/^[a-z_][a-z0-9_-]{0,31}$/, { error: 'a system user name' });

/** A systemd unit property, `Name=value` (systemd.exec(5), systemd.resource-control(5)). */
const property = z
  .string({ error: 'a unit property "Name=value"' })
  .max(1024, { error: 'a unit property "Name=value" of at most 1024 characters' })
  .regex(/^[A-Z][A-Za-z0-9]*=[^\n\0]*$/, { error: 'a unit property "Name=value"' })
  .refine((p) => !/^(User|Group|DynamicUser|ExecStart)=/.test(p), {
    error: 'another property (name the user with "user", not here)',
  });

/**
 * A health command run after the deploy (issue 18): the same user and sandbox, no shell,
 * the deploy's environment plus P2PU_HEALTH=1. Exit 0 is healthy; anything else (or the
 * timeout) fails an attempt. Every attempt failed: the node rolls back to the update before.
 */
const health = section({
  path: absPath().describe('The health command, run without a shell.'),
  args: args('Its arguments.'),
  timeoutMs: int(100, 3_600_000).default(30_000).describe('One attempt is killed after this.'),
  retries: int(0, 20).default(2).describe('Attempts after the first before the update counts as unhealthy.'),
  intervalMs: int(0, 600_000).default(5_000).describe('Wait between attempts (the service may still start).'),
}).describe(
  'A health check after each deploy (docs/rollouts.md §Health checks): failed, the node rolls the update back.',
);

const common = {
  health: health.optional(),
  user: userName.optional().describe('Run as this user (default root).'),
  sandbox: list(property, 64, 'a list of at most 64 unit properties')
    .default([])
    .describe(
      "systemd unit properties of the deploy's transient unit (systemd-run -p); needs systemd, else refused.",
    ),
  timeoutMs: int(100, 86_400_000)
    .optional()
    .describe("This deployer's timeout, instead of deploy.timeoutMs."),
};

const script = section({
  type: z.literal('script'),
  path: absPath().describe('The executable, run without a shell.'),
  args: args('Arguments before the payload path.'),
  ...common,
});
const puppet = section({
  type: z.literal('puppet'),
  manifest: absPath()
    .optional()
    .describe('A fixed manifest; without it, the payload itself is the manifest.'),
  puppetArgs: args('Arguments of `puppet apply`, before the manifest.'),
  ...common,
});
const deb = section({
  type: z.literal('deb'),
  aptArgs: args('Arguments of `apt-get install` (the payload is a .deb).'),
  ...common,
});

export const deployersSchema = z
  .record(
    z
      .string({ error: 'a URI prefix (scheme:...)' })
      .max(256, { error: 'a URI prefix of at most 256 characters' })
      .regex(/^[a-z][a-z0-9+.-]*:/i, { error: 'a URI prefix (scheme:...)' }),
    z.discriminatedUnion('type', [script, puppet, deb], { error: '"script", "puppet" or "deb"' }),
    { error: 'an object' },
  )
  .refine((d) => Object.keys(d).length > 0, { error: 'a deployer' })
  .describe(
    'URI prefix -> deployer. The longest matching prefix wins; a URI no prefix matches is refused (URI_NOT_ACCEPTED), by the manager before it downloads anything.',
  );
