/** The sections of p2p-update(1) after COMMANDS (man-page.ts): written here, in roff. */
export const MAN_PAGE_TAIL = String.raw`.SH PRIVILEGES
natm and the manager parse network input and run as
.B p2p\-update
with no capabilities. The deploy executor
.RB ( p2p\-update\-deploy.service ,
started on demand by
.BR p2p\-update\-deploy.socket ,
root:p2p\-update 0660) is the only part that acts as root. A compromised natm or
manager can get deployed only updates signed by the update keys of the root of trust
the executor holds itself (k of them, within its version ceilings), above the versions
the executor has deployed, through the deployers the administrator
configured in
.IR /etc/p2p\-update/deploy.json .
.SH EXIT STATUS
0 on success (also for
.B \-\-help
and
.BR \-\-version ),
1 on failure (one line
.BI "error " CODE ": " explanation
on standard error), 2 on a usage mistake (one line
.BI "usage error: " explanation ).
.SH FILES
.TP
.I /etc/p2p\-update/manager.json, natm.json, rendezvous.json
Configuration of the daemons. Reference of each:
.IR /usr/share/doc/p2p\-update/config/ NAME .md.gz;
editor JSON Schema:
.IR /usr/share/p2p\-update/schema/ NAME .schema.json.
.TP
.I /etc/p2p\-update/fleet.root
The root of trust the node is installed with (its anchor, for the manager and the
deploy executor); newer roots are kept in
.I /var/lib/p2p\-update/manager/root.chain
(the manager's) and
.I /var/lib/p2p\-update\-deploy/root.chain
(the executor's, root\-owned).
.TP
.I /etc/p2p\-update/deploy.json
Configuration of the deploy executor (root\-owned): its root of trust and the
deployers, i.e. which URIs this node accepts and how, as whom and in which sandbox
each is deployed (reference:
.IR /usr/share/doc/p2p\-update/config/deploy.md.gz ).
.TP
.I /etc/p2p\-update/transmission\-rpc.json
RPC address and credentials of the local transmission\-daemon, made at installation.
.TP
.I /var/lib/p2p\-update
State: accepted versions, downloads.
.TP
.I /var/lib/p2p\-update\-deploy
The deploy executor's own state (root): the versions it deployed
.RI ( record.json ,
the anti\-rollback floor for deploys) and its checked payload copies.
.TP
.I /run/p2p\-update
The sockets of natm (manager IPC, status).
.TP
.I /run/p2p\-update\-deploy.sock
The socket where the manager asks the deploy executor.
.SH ENVIRONMENT
.TP
.B P2PU_DEBUG
If set, a failure also prints its stack trace.
.TP
.BR P2PU_URI ", " P2PU_VERSION ", " P2PU_FILE ", " P2PU_DIR
Set by the deploy executor for a deployer (and nothing else of its own environment):
the update's URI and version, and the checked copy of its payload; for a directory
payload
.RB ( "p2p\-update create DIR" )
.B P2PU_DIR
names the checked copy of the directory (the same path as
.BR P2PU_FILE ),
every file verified against the signed manifest.
.SH SEE ALSO
.BR transmission\-daemon (1),
.BR journalctl (1),
.I /usr/share/doc/p2p\-update/operations.md.gz
`;
