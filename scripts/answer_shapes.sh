#!/usr/bin/env bash
# CPU and memory of thinkbench's TUI while long answers of one shape stream in, against curl
# reading the same stream (the floor) and aichat rendering it (where installed).
#
# A fake OpenAI server of the project's own (examples/fake_server, `shape:NAME:BYTES`) streams
# each answer shape in 8-byte deltas as fast as the client reads. thinkbench's TUI runs in a
# 140x45 tmux window, is sent the prompt, and is quit once its CPU time stops growing; aichat
# runs one-shot in the same kind of window. CPU is user+system of the whole process, RSS is
# peak (/usr/bin/time). Idle is the TUI started and quit with no turn.
#
# Prints per shape and size: seconds of CPU, ratios (thinkbench/curl, thinkbench/aichat),
# peak RSS, RSS growth per MiB of answer over idle (which includes one-time costs such as the
# tokenizer, loaded when the first turn streams), for the larger sizes the growth per MiB
# between two sizes (the slope, without those), and the CPU ratio between the sizes.
#
# Goals: thinkbench <= 2.5x curl and <= 0.5x aichat at 1 MiB; 2 MiB <= 2.2x 1 MiB; idle RSS
# <= 30 MiB; growth <= 16 MiB per MiB.
#
# aichat (optional): cargo install aichat --version 0.30.0 --locked; put it on PATH or set
# AICHAT=/path/to/aichat. Without it that column is skipped.
#
# usage: scripts/answer_shapes.sh [--shapes "mixed code table paragraph list"] [--sizes "1 2"]
#                                 [--runs N]
#        (sizes in MiB; SIZES_KIB=1 takes them as KiB; with --runs, each figure is the median
#        of N runs)
set -euo pipefail
cd "$(dirname "$0")/.."

SHAPES="mixed code table paragraph list"
SIZES="1 2"
RUNS=1
while [ $# -gt 0 ]; do
    case "$1" in
        --shapes) SHAPES="$2"; shift 2 ;;
        --sizes) SIZES="$2"; shift 2 ;;
        --runs) RUNS="$2"; shift 2 ;;
        *) echo "usage: $0 [--shapes LIST] [--sizes LIST_MIB]" >&2; exit 2 ;;
    esac
done
for tool in tmux curl /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }
done

TARGET="${CARGO_TARGET_DIR:-target}"
if [ -z "${TB:-}" ]; then cargo build --release --quiet --bin thinkbench --example fake_server; fi
TB="${TB:-$TARGET/release/thinkbench}"
FAKE="${FAKE:-$TARGET/release/examples/fake_server}"
AICHAT="${AICHAT:-$(command -v aichat || true)}"

WORK="$(mktemp -d)"
SESSION="tbshapes$$"
SERVER_PID=""
cleanup() {
    tmux kill-session -t "$SESSION" 2>/dev/null || true
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# Start the fake server with a scenario; sets BASE.
serve() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
    "$FAKE" "$1" > "$WORK/url" &
    SERVER_PID=$!
    for _ in $(seq 100); do
        BASE="$(head -n1 "$WORK/url" 2>/dev/null || true)"
        [ -n "$BASE" ] && return 0
        sleep 0.05
    done
    echo "the fake server did not start" >&2
    exit 1
}

# "user+sys seconds" and "peak KiB" from a /usr/bin/time -f '%U %S %M' file.
cpu_of() { awk '{ printf "%.2f", $1 + $2 }' "$1"; }
rss_of() { awk '{ print $3 }' "$1"; }

# Run a command in a 140x45 tmux window under /usr/bin/time, writing to $1.
in_window() {
    local out="$1"; shift
    rm -f "$out"
    tmux kill-session -t "$SESSION" 2>/dev/null || true
    tmux new-session -d -s "$SESSION" -x 140 -y 45 \
        "env -i PATH=$PATH HOME=$WORK TERM=xterm-256color THINKBENCH_HOME=$WORK/home OPENAI_API_KEY=sk-fake AICHAT_CONFIG_DIR=$WORK/aichat /usr/bin/time -f '%U %S %M' -o $out $*"
}

# The pid of the timed child inside the window.
child_pid() {
    local shell
    shell="$(tmux list-panes -t "$SESSION" -F '#{pane_pid}')"
    pgrep -P "$(pgrep -P "$shell" time || echo "$shell")" | head -n1
}

# Waits until process $1's CPU time has not grown for 1.5 s (after at least $2 s).
wait_quiet() {
    local pid="$1" min="$2" last=-1 now stable=0 waited=0
    sleep "$min"
    while [ -d "/proc/$pid" ]; do
        now="$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo "$last")"
        if [ "$now" = "$last" ]; then stable=$((stable + 1)); else stable=0; fi
        [ "$stable" -ge 3 ] && return 0
        last="$now"
        sleep 0.5
        waited=$((waited + 1))
        [ "$waited" -gt 1200 ] && { echo "gave up waiting for $pid" >&2; return 1; }
    done
}

# Runs thinkbench's TUI, sends a prompt (unless $2 is "idle"), quits when done; writes $1.
run_tui() {
    local out="$1" what="$2"
    rm -rf "$WORK/home"
    in_window "$out" "$TB" --base-url "$BASE" --model gpt-4o
    sleep 0.5
    local pid
    pid="$(child_pid)"
    if [ "$what" != idle ]; then
        tmux send-keys -t "$SESSION" "show me the answer" Enter
        wait_quiet "$pid" 1
    else
        sleep 2
    fi
    tmux send-keys -t "$SESSION" C-q
    for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.1; done
    tmux kill-session -t "$SESSION" 2>/dev/null || true
}

run_aichat() {
    local out="$1"
    mkdir -p "$WORK/aichat"
    cat > "$WORK/aichat/config.yaml" <<YAML
model: fake:gpt-4o
highlight: true
clients:
- type: openai-compatible
  name: fake
  api_base: $BASE
  api_key: sk-fake
  models:
  - name: gpt-4o
YAML
    in_window "$out" "$AICHAT" "show me the answer"
    for _ in $(seq 3000); do [ -s "$out" ] && break; sleep 0.2; done
    tmux kill-session -t "$SESSION" 2>/dev/null || true
}

run_curl() {
    rm -f "$1"
    /usr/bin/time -f '%U %S %M' -o "$1" curl -sSN "$BASE/chat/completions" \
        -H 'content-type: application/json' -H 'authorization: Bearer sk-fake' \
        -d '{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"show me the answer"}]}' \
        > /dev/null
}

# The median of the numbers given.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'; }

serve "shape:paragraph:10"
run_tui "$WORK/idle" idle
IDLE_KIB="$(rss_of "$WORK/idle")"
printf 'idle: peak RSS %.1f MiB (goal <= 30)\n\n' "$(awk -v k="$IDLE_KIB" 'BEGIN { print k / 1024 }')"

printf '%-10s %4s %7s %7s %7s %8s %8s %8s %8s %8s %10s\n' \
    shape MiB curl_s tb_s aichat_s tb/curl tb/aichat rss_MiB /idle slope cpu_ratio
for shape in $SHAPES; do
    first_cpu=""
    for size in $SIZES; do
        bytes=$((size * 1024 * 1024))
        if [ -n "${SIZES_KIB:-}" ]; then bytes=$((size * 1024)); fi
        serve "shape:$shape:$bytes"
        curls=(); tbs=(); ais=(); rsss=()
        for _ in $(seq "$RUNS"); do
            run_curl "$WORK/curl"
            curls+=("$(cpu_of "$WORK/curl")")
            run_tui "$WORK/tb" answer
            tbs+=("$(cpu_of "$WORK/tb")")
            rsss+=("$(rss_of "$WORK/tb")")
            if [ -n "$AICHAT" ]; then
                run_aichat "$WORK/ai"
                ais+=("$(cpu_of "$WORK/ai")")
            fi
        done
        tb="$(median "${tbs[@]}")"
        curl_s="$(median "${curls[@]}")"
        aichat_s="-"
        vs_aichat="-"
        if [ -n "$AICHAT" ]; then
            aichat_s="$(median "${ais[@]}")"
            vs_aichat="$(ratio "$tb" "$aichat_s")"
        fi
        rss_kib="$(median "${rsss[@]}")"
        growth="$(awk -v r="$rss_kib" -v i="$IDLE_KIB" -v b="$bytes" 'BEGIN { printf "%.1f", (r - i) / 1024 / (b / 1048576) }')"
        linear="-"
        slope="-"
        if [ -z "$first_cpu" ]; then
            first_cpu="$tb"; first_size="$size"; first_rss="$rss_kib"; first_bytes="$bytes"
        else
            linear="$(awk -v a="$tb" -v b="$first_cpu" -v s="$size" -v f="$first_size" 'BEGIN { printf "%.2f (x%.0f)", a / b, s / f }')"
            slope="$(awk -v r="$rss_kib" -v f="$first_rss" -v b="$bytes" -v z="$first_bytes" 'BEGIN { printf "%.1f", (r - f) / 1024 / ((b - z) / 1048576) }')"
        fi
        printf '%-10s %4s %7s %7s %7s %8s %8s %8.1f %8s %8s %10s\n' "$shape" "$size" "$curl_s" "$tb" \
            "$aichat_s" "$(ratio "$tb" "$curl_s")" "$vs_aichat" \
            "$(awk -v k="$rss_kib" 'BEGIN { print k / 1024 }')" "$growth" "$slope" "$linear"
    done
done
