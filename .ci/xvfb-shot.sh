#!/bin/sh
# Runs the real app on the sandbox inside the current (Xvfb) display, waits
# for its first sync, and captures the window: make screenshots calls it
# under xvfb-run and dbus-run-session.
set -eu
bin=$1 out=$2
data=$(mktemp -d)
# The log stays outside: Firmsync adopts only an empty directory.
log=$(mktemp)
"$bin" --sandbox --data "$data" >"$log" 2>&1 &
pid=$!
sleep "${FIRMSYNC_SHOT_WAIT:-30}"
import -window root -crop 1000x700+0+0 "$out"
kill "$pid"
wait "$pid" || true
rm -rf "$data" "$log"
echo "wrote $out"
