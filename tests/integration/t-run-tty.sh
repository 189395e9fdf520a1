#!/bin/bash
# `run` in the foreground with process.terminal, from a real terminal
# (tmux): the shell gets a pty of its own, the window size is the
# terminal's and follows a resize (SIGWINCH), typed input reaches it, and
# the exit code comes back; the tty is restored afterwards.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { echo "SKIP: tmux missing (apt-get install tmux)"; exit 77; }
make_bundle
config "c['process']['terminal'] = True; c['process']['args'] = ['sh']"
S=modrun-tty-$$
export TMUX_TMPDIR=$T
tmux new-session -d -s $S -x 100 -y 30 \
    "$MODRUN --root $ROOT --plugin-dir $PLUGIN_DIR run --bundle $BUNDLE tty1; echo EXIT=\$?; stty -a | grep -o ' icanon' ; sleep 30"
screen() { tmux capture-pane -p -t $S; }
wait_for sh -c "tmux capture-pane -p -t $S | grep -q '~ #'" || { screen; fail "no shell prompt"; }
tmux send-keys -t $S 'tty; stty size' Enter
wait_for sh -c "tmux capture-pane -p -t $S | grep -q '^30 100'" || fail "size 30x100 not seen"
expect_match "the shell's stdin is a pty" "^/dev/pts/0" "$(screen)"
tmux resize-window -t $S -x 120 -y 40
sleep 0.3
tmux send-keys -t $S 'stty size; exit 3' Enter
wait_for sh -c "tmux capture-pane -p -t $S | grep -q EXIT=" || fail "run did not return"
expect_match "a resize reaches the container (SIGWINCH)" "^40 120" "$(screen)"
expect_match "exit code of the shell" "^EXIT=3" "$(screen)"
expect_match "the terminal is back in canonical mode" "^ icanon" "$(screen)"
tmux kill-session -t $S
assert_clean "at the end"
finish
