#!/usr/bin/env bash
# bench/footprint-loopback.sh BUNDLE_DIR TAG [node flags...]: a lighter footprint run, no namespaces:
# rendezvous + natm + manager from a bundled CLI (bench/lib/bundle.ts flags) and one
# transmission-daemon, all on loopback (ports 19391/19392/19400/19478/19969), then
# manager and natm idle RSS/PSS/USS/shared (smaps_rollup, SAMPLES=10 one a second after
# SETTLE=45 s) and the device estimate USS + shared/2. While settling it prints each one's USS
# every 5 s: V8's memory reducer shrinks an idle heap over the first ~35 s after start-up
# (bench/RESULTS.md, §Footprint: steady state). Files under ${RUN_ROOT:-/tmp/fp}/run-TAG.
set -euo pipefail
B=$1; TAG=$2; shift 2; FLAGS=("$@")
R=${RUN_ROOT:-/tmp/fp}/run-$TAG; rm -rf $R; mkdir -p $R/tr/dl $R/state $R/inbox $R/natm $R/rdv
KEY=$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))')
node -e 'const {generateKeyPairSync}=require("crypto");const k=generateKeyPairSync("ed25519");process.stdout.write(k.publicKey.export({type:"spki",format:"pem"}))' > $R/admin.pub
cat > $R/tr/settings.json <<J
{"download-dir":"$R/tr/dl","rpc-enabled":true,"rpc-bind-address":"127.0.0.1","rpc-port":19391,"rpc-authentication-required":false,"rpc-whitelist-enabled":true,"rpc-whitelist":"127.0.0.1","rpc-host-whitelist-enabled":false,"peer-port":19392,"port-forwarding-enabled":false,"dht-enabled":false,"lpd-enabled":false,"utp-enabled":true,"cache-size-mb":4}
J
echo "{\"listen\":\"127.0.0.1:19478\",\"clusterKeys\":[\"$KEY\"],\"statsSocket\":\"$R/rdv/stats.sock\"}" > $R/rdv.json
echo "{\"id\":\"n01\",\"listen\":\"127.0.0.1:19400\",\"clusterKeys\":[\"$KEY\"],\"rendezvous\":[\"127.0.0.1:19478\"],\"stunServers\":[\"127.0.0.1:19478\"],\"ipcSocket\":\"$R/natm/natm.sock\",\"statsSocket\":\"$R/natm/stats.sock\"}" > $R/natm.json
echo "{\"trustedKeys\":[\"$R/admin.pub\"],\"stateDir\":\"$R/state\",\"inboxDir\":\"$R/inbox\",\"transmission\":{\"url\":\"http://127.0.0.1:19391/transmission/rpc\",\"downloadDir\":\"$R/tr/dl\"},\"tracker\":{\"host\":\"127.0.0.1\",\"port\":19969,\"peers\":[]},\"natmSocket\":\"$R/natm/natm.sock\",\"executorSocket\":\"$R/executor.sock\",\"speed\":{},\"logLevel\":\"info\"}" > $R/manager.json
M=$B/admin-tools/cli/main.js
pids=()
cleanup() { for p in "${pids[@]}"; do kill $p 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
transmission-daemon -f -g $R/tr >$R/tr.log 2>&1 & pids+=($!)
node "${FLAGS[@]}" $M rendezvous --config $R/rdv.json >$R/rdv.log 2>&1 & pids+=($!)
sleep 1
node "${FLAGS[@]}" $M natm --config $R/natm.json >$R/natm.log 2>&1 & NATM=$!; pids+=($NATM)
for i in $(seq 60); do grep -q 'natm started' $R/natm.log && break; sleep 0.5; done
node "${FLAGS[@]}" $M manager --config $R/manager.json >$R/manager.log 2>&1 & MAN=$!; pids+=($MAN)
for i in $(seq 60); do grep -q 'manager started' $R/manager.log && break; sleep 0.5; done
grep -q 'manager started' $R/manager.log || { echo "manager did not start"; tail -5 $R/manager.log; exit 1; }
uss() { awk '/^Private_(Clean|Dirty):/{u+=$2}END{printf "%.1f", u/1024}' /proc/$1/smaps_rollup; }
curve=""; for t in $(seq 0 5 $((${SETTLE:-45} - 5))); do curve="$curve $t:$(uss $MAN)/$(uss $NATM)"; sleep 5; done
echo "$TAG load $(cut -d' ' -f1-3 /proc/loadavg); USS manager/natm MiB by s after start:$curve" | tee $R/curve.txt
for name in manager natm; do pid=$([ $name = manager ] && echo $MAN || echo $NATM)
  tot_u=0; tot_s=0; tot_p=0; tot_r=0; n=${SAMPLES:-10}
  for i in $(seq $n); do
    read r p u s < <(awk '/^Rss:/{r=$2}/^Pss:/{p=$2}/^Private_(Clean|Dirty):/{u+=$2}/^Shared_(Clean|Dirty):/{s+=$2}END{print r,p,u,s}' /proc/$pid/smaps_rollup)
    tot_r=$((tot_r+r)); tot_p=$((tot_p+p)); tot_u=$((tot_u+u)); tot_s=$((tot_s+s)); sleep 1
  done
  awk -v n=$n -v r=$tot_r -v p=$tot_p -v u=$tot_u -v s=$tot_s -v name=$name -v tag=$TAG 'BEGIN{printf "%s %-8s RSS %.1f PSS %.1f USS %.1f shared %.1f dev %.1f MiB\n",tag,name,r/n/1024,p/n/1024,u/n/1024,s/n/1024,(u+s/2)/n/1024}'
done | tee $R/result.txt
awk '{d+=$12} END{printf "'$TAG' manager+natm device estimate %.1f MiB\n", d}' $R/result.txt
