# podman-checks.sh - the checks the rootful (podman.sh) and rootless
# (podman-rootless.sh) podman tests share, sourced by both after lib.sh.
# Each is a function c_NAME run against runc and modrun in turn; it uses
# the caller's P (podman with the runtime under test), PSTR, IMG and T.
c_stdin() { local o; o=$(echo piped-x | P run --rm -i "$IMG" cat); [ "$o" = piped-x ] || { echo "got '$o'"; return 1; }; }
c_exec_t() { local o; o=$(script_run "$(PSTR) exec -it $T-d sh -c 'tty; stty size'"); want /dev/pts/ "$o"; }
c_kill_sig() {
    P kill -s USR1 "$T-d" >/dev/null || return 1
    wait_until 5 sh -c "$(PSTR) exec $T-d cat /tmp/usr1 2>/dev/null | grep -q got-usr1" || { echo "USR1 not delivered"; return 1; }
}
c_stop_kill() {
    P run -d --name "$T-k" "$IMG" sleep 1000 >/dev/null || return 1
    P stop -t 1 "$T-k" >/dev/null 2>&1 || return 1
    local s; s=$(P inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$T-k"); want "exited 137" "$s" || return 1
    P rm "$T-k" >/dev/null
}
c_run_t() { local o; o=$(P run --rm -t "$IMG" sh -c 'tty; test -t 0 && echo in-is-tty'); want /dev/pts/0 "$o" && want in-is-tty "$o"; }
c_run_it() { local o; o=$(script_run "$(PSTR) run --rm -it $IMG sh -c 'tty; stty size'"); want /dev/pts/ "$o"; }
c_readonly() {
    local o; o=$(P run --rm --read-only "$IMG" sh -c 'touch /x 2>&1; touch /tmp/y && echo tmp-ok')
    want 'Read-only file system' "$o" && want tmp-ok "$o"
}
c_caps() {
    local o; o=$(P run --rm --cap-drop all "$IMG" grep CapEff /proc/self/status); want 0000000000000000 "$o" || return 1
    o=$(P run --rm --cap-drop all --cap-add NET_ADMIN --cap-add KILL "$IMG" grep CapEff /proc/self/status)
    want 0000000000001020 "$o"
}
c_error() {
    local o; o=$(P run --rm "$IMG" /no-such-cmd 2>&1); local rc=$?
    echo "rc=$rc: $o"; [ $rc = 127 ] && want /no-such-cmd "$o"
}
