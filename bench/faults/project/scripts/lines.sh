#!/bin/sh
# The command twin of packages/lines.mjs: $1 the ledger folder, $2 lines, $3 seconds between them.
ledger="$1/$SCALEOUT_EXECUTION_ID.$SCALEOUT_ATTEMPT"
echo "start $(date +%s%3N) $SCALEOUT_WORKER_NAME" >> "$ledger"
i=0
while [ "$i" -lt "$2" ]; do
  echo "exec $SCALEOUT_EXECUTION_ID attempt $SCALEOUT_ATTEMPT n=$i"
  echo "beat $i $(date +%s%3N)" >> "$ledger"
  sleep "$3"
  i=$((i + 1))
done
echo "end $(date +%s%3N)" >> "$ledger"
