#!/usr/bin/env bash
# What one `thinkbench ask` costs: median CPU (user + sys) and peak RSS over N runs against the
# example fake server on 127.0.0.1, for a ~50-token answer whose server reports usage
# (scenario `short`) and the same answer without usage (`short-nousage`, so the turn is
# estimated), next to `curl` sending the same request (the floor) and the goal
# (<= 30 ms CPU, <= 20 MiB RSS with usage).
#
#   scripts/ask_cost.sh [RUNS] [PORT]        (defaults: 10 runs, port 47411)
#
# It builds the release binary and the fake server first (`cargo build --release`; set
# CARGO to wrap cargo, e.g. CARGO="flock -o /tmp/cargo.lock cargo", or NO_BUILD=1 to skip),
# in CARGO_TARGET_DIR when set. Its data lives in a temporary THINKBENCH_HOME, removed at
# the end; the key is a fake one.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
port=${2:-47411}
target=${CARGO_TARGET_DIR:-target}
if [ -z "${NO_BUILD:-}" ]; then
    ${CARGO:-cargo} build --release --quiet --bin thinkbench --example fake_server
fi
bin="$target/release/thinkbench"
server_bin="$target/release/examples/fake_server"
home=$(mktemp -d)
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$home"
}
trap cleanup EXIT

start_server() {
    if [ -n "$server_pid" ]; then kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; fi
    "$server_bin" --port "$port" "$1" >"$home/server.out" 2>&1 &
    server_pid=$!
    for _ in $(seq 50); do
        grep -q http "$home/server.out" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "the fake server did not start" >&2
    exit 1
}

# One run of a command: "CPU_MS RSS_KIB", its user + sys time and peak RSS as the kernel
# counted them for the process and its children (getrusage, microseconds).
measure() {
    python3 - "$@" >/dev/null 2>"$home/cmd.err" <<'PY' || {
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, ru = os.wait4(child.pid, 0)
if os.waitstatus_to_exitcode(status) != 0:
    sys.exit("failed")
sys.stderr.write("%.1f %d\n" % ((ru.ru_utime + ru.ru_stime) * 1000, ru.ru_maxrss))
PY
        echo "failed: $*" >&2
        exit 1
    }
    cat "$home/cmd.err"
}

# Median CPU ms and median peak RSS MiB of RUNS runs of a command: "CPU_MS RSS_MIB".
median_of() {
    local samples="$home/samples"
    : >"$samples"
    for _ in $(seq "$runs"); do measure "$@" >>"$samples"; done
    local cpu rss
    cpu=$(cut -d' ' -f1 "$samples" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
    rss=$(cut -d' ' -f2 "$samples" | sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m / 1024 }')
    echo "$cpu $rss"
}

url="http://127.0.0.1:$port/v1"
ask=(env THINKBENCH_HOME="$home/tb" OPENAI_API_KEY=sk-fake NO_COLOR=1
    "$bin" ask --base-url "$url" -m gpt-4o "What is the capital of Mexico?")
body='{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"What is the capital of Mexico?"}]}'
curl_cmd=(curl -sS -N -H "authorization: Bearer sk-fake" -H "content-type: application/json"
    -d "$body" "$url/chat/completions")

printf '%-26s %10s %10s %14s\n' "$runs runs, median" "CPU ms" "RSS MiB" "CPU vs curl"
for scenario in short short-nousage; do
    start_server "$scenario"
    # One run first, unmeasured: the store's file is created and migrated once.
    "${ask[@]}" >/dev/null 2>&1
    read -r floor_cpu floor_rss < <(median_of "${curl_cmd[@]}")
    read -r ask_cpu ask_rss < <(median_of "${ask[@]}")
    ratio=$(awk -v a="$ask_cpu" -v c="$floor_cpu" 'BEGIN { printf "%.1fx", (c > 0) ? a / c : 0 }')
    label="ask ($scenario)"
    printf '%-26s %10s %10s %14s\n' "$label" "$ask_cpu" "$ask_rss" "$ratio"
    printf '%-26s %10s %10s\n' "curl ($scenario)" "$floor_cpu" "$floor_rss"
    if [ "$scenario" = short ]; then
        verdict=$(awk -v c="$ask_cpu" -v r="$ask_rss" 'BEGIN { print ((c <= 30 && r <= 20) ? "met" : "NOT met") }')
        printf '%-26s %10s %10s   goal %s\n' "goal (with usage)" "<= 30" "<= 20" "$verdict"
    fi
done
