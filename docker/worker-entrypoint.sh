#!/bin/sh
# A worker container's first start: its certificate and id (kept in its state volume), trusted and
# enabled in the catalog (what a DBA does with catalog.add_worker_agent), then the worker itself.
# WORKER_NAME names it; SCALEOUT_CATALOG is the catalog; the master's certificate is in the certs volume.
set -eu
state=/var/lib/scaleout/worker
name="${WORKER_NAME:?set WORKER_NAME}"
mkdir -p "$state"
if [ ! -f "$state/worker.crt" ]; then
  node bin/scaleout.js cert worker --cn "$name" --out "$state" --name worker > "$state/worker.txt"
fi
[ -f "$state/agent-id" ] || cat /proc/sys/kernel/random/uuid > "$state/agent-id"
id=$(cat "$state/agent-id")
thumbprint=$(sed -n 's/^thumbprint //p' "$state/worker.txt")
if ! node bin/scaleout.js agent list --json | grep -q "$id"; then
  node bin/scaleout.js agent add "$id" --thumbprint "$thumbprint" --name "$name" --enable
fi
master_thumbprint=$(sed -n 's/^thumbprint //p' /var/lib/scaleout/certs/master.txt)
exec node bin/scaleout.js worker \
  --master "${MASTER_ENDPOINT:-https://master:8391}" --master-thumbprint "$master_thumbprint" \
  --cert "$state/worker.crt" --key "$state/worker.key" \
  --set "StateFolder=$state" --set "DisplayName=$name"
