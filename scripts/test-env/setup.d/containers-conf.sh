# shellcheck shell=bash
# podman's /etc/containers/containers.conf: runc and ulimits that work here. Sets conf_changed (true when the file
# was written), which tells the podman service step to restart a service that read the old file.
# Sourced by setup.sh (after common.sh), which calls the function at the point where the job comes in the run.

# Sets [containers] default_ulimits and [engine] runtime, keeping every other line of an existing file.
# (crun fails here on cgroups and on raising rlimits; runc with these limits works.)
merge_containers_conf() {
  awk '
    BEGIN {
      want["containers"] = "default_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]"; key["containers"] = "default_ulimits"
      want["engine"] = "runtime = \"runc\"";                                             key["engine"] = "runtime"
      sec = ""; skipping = 0
    }
    function leave() { if (sec in want && !(sec in done)) { print want[sec]; done[sec] = 1 } }
    function blanks() { for (; nblank > 0; nblank--) print "" }
    skipping { if ($0 ~ /\]/) skipping = 0; next }            # rest of a multi-line array we replaced
    /^[ \t]*$/ { nblank++; next }                              # held back: a new key goes before them
    /^[ \t]*\[/ {
      leave(); blanks()
      sec = $0; sub(/^[ \t]*\[+[ \t]*/, "", sec); sub(/[ \t]*\].*$/, "", sec); seen[sec] = 1
      print; next
    }
    (sec in want) && $0 ~ ("^[ \t]*" key[sec] "[ \t]*=") {
      blanks()
      if (!(sec in done)) { print want[sec]; done[sec] = 1 }
      v = $0; sub(/^[^=]*=[ \t]*/, "", v)
      if (v ~ /^\[/ && v !~ /\]/) skipping = 1
      next
    }
    { blanks(); print }
    END {
      leave(); blanks()
      for (s in want) if (!(s in seen)) { printf "\n[%s]\n%s\n", s, want[s] }
    }
  '
}
configure_containers_conf() {
  conf_changed=false
  if [ -f "$CONF" ]; then
    merged="$(merge_containers_conf <"$CONF")"
    if [ "$merged" != "$(cat "$CONF")" ]; then
      backup="$CONF.bak.$(date +%Y%m%d%H%M%S)"
      as_root cp -p "$CONF" "$backup"
      printf '%s\n' "$merged" | as_root tee "$CONF" >/dev/null
      log "updated $CONF (runc, ulimits); previous file saved as $backup"
      conf_changed=true
    else
      log "$CONF: already set"
    fi
  else
    as_root mkdir -p "$(dirname "$CONF")"
    as_root tee "$CONF" >/dev/null <<'EOF'
# Written by RegistryPush scripts/test-env/setup.sh (crun fails here on cgroups and rlimits; runc works).
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]

[engine]
runtime = "runc"
EOF
    log "wrote $CONF"
    conf_changed=true
  fi
}
