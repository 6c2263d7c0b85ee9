#!/bin/sh
# Test deploy script: like deploy-scripts/example-marker.sh, but between "begin" and
# "applied" it waits (at most 90 s) for a gate file DIR/gate_<uri with non-alphanumerics
# as _> that the test creates when it wants deploys to finish. This makes crash tests
# independent of how fast a loaded machine restarts the manager.
set -eu
dir=${1:?usage: gated-deploy.sh DIR}
gate="$dir/gate_$(printf '%s' "$P2PU_URI" | tr -c 'a-zA-Z0-9' '_')"
mkdir -p "$dir"
echo "begin $P2PU_URI $P2PU_VERSION" >>"$dir/deploy.log"
i=0
while [ ! -e "$gate" ]; do
  i=$((i + 1))
  [ "$i" -le 900 ] || { echo "gate $gate never opened" >&2; exit 1; }
  sleep 0.1
done
echo "applied $P2PU_URI $P2PU_VERSION" >>"$dir/deploy.log"
