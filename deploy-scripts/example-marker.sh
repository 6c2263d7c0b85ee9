#!/bin/sh
# Example p2p-update deploy script (docs/deploy-executor.md §Deployers).
#
#   usage (from the deploy executor's config, /etc/p2p-update/deploy.json, as shipped):
#     deployers: { "app:/": { "type": "script",
#       "path": "/usr/share/p2p-update/deploy-scripts/example-marker.sh",
#       "args": ["/var/lib/p2p-update-demo"] } }
#
# Environment (nothing else is set): P2PU_URI, P2PU_VERSION, P2PU_FILE (the executor's
# checked copy of the payload: read it, never modify it), PATH. Exit 0 = applied;
# anything else = failed (retried with backoff). Output (stdout+stderr) is captured,
# capped and logged. It runs as root unless the deployer names a "user".
#
# Deploy scripts MUST be idempotent: after a crash or power loss during a deploy the
# executor runs the same deploy again.
#
# This one copies the payload to DIR/payload, writes DIR/marker ("URI VERSION") and
# appends "begin ..." / "applied ..." lines to DIR/deploy.log. An optional second
# argument sleeps that many seconds between the two (demos and crash tests).
set -eu
dir=${1:?usage: example-marker.sh DIR [DELAY_SECONDS]}
delay=${2:-0}
mkdir -p "$dir"
echo "begin $P2PU_URI $P2PU_VERSION" >>"$dir/deploy.log"
if [ "$delay" != 0 ]; then sleep "$delay"; fi
# One command per line: under `set -e` a failure inside an `a && b` list does not stop the
# script, so a failed copy would still be reported as applied.
cp "$P2PU_FILE" "$dir/.payload.tmp"
mv -f "$dir/.payload.tmp" "$dir/payload"
printf '%s %s\n' "$P2PU_URI" "$P2PU_VERSION" >"$dir/.marker.tmp"
mv -f "$dir/.marker.tmp" "$dir/marker"
echo "applied $P2PU_URI $P2PU_VERSION" >>"$dir/deploy.log"
echo "example-marker: applied $P2PU_URI version $P2PU_VERSION"
