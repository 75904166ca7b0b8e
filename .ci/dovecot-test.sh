#!/usr/bin/env bash
# A throwaway Dovecot IMAP server for the IMAP poller's tests (borough/channels/tests/test_imap.py).
#
#   BOROUGH_TEST_IMAP="$(.ci/dovecot-test.sh)" && export BOROUGH_TEST_IMAP   # start it (a fresh, empty mailbox)
#   .ci/dovecot-test.sh --stop                                               # stop it
#
# It listens on 127.0.0.1 only (port BOROUGH_DOVECOT_PORT, default 10143), without TLS, with one user `borough-test`
# whose password is BOROUGH_DOVECOT_PASSWORD, mail in maildir under BOROUGH_DOVECOT_DIR. Started again, it stops the
# previous one and starts from an empty mailbox. It prints host:port:user:password on stdout (messages go to stderr).
# Needs Debian's dovecot-imapd (Dovecot 2.3). Works as root (mail owned by the `dovecot` user) or as a normal user.
set -euo pipefail

dir="${BOROUGH_DOVECOT_DIR:-${TMPDIR:-/tmp}/borough-dovecot-$(id -u)}"
port="${BOROUGH_DOVECOT_PORT:-10143}"
user="borough-test"
password="${BOROUGH_DOVECOT_PASSWORD:-borough-test-password}"

say() { echo "dovecot-test: $*" >&2; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

stop() {
  local pid
  pid="$(cat "$dir/run/master.pid" 2>/dev/null || true)"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    say "stopped the Dovecot in $dir"
  fi
}

if [[ -e "$dir" && ! -f "$dir/dovecot.conf" ]]; then
  say "$dir is not a directory this script made; set BOROUGH_DOVECOT_DIR to a new one"
  exit 1
fi
if [[ "${1:-}" == "--stop" ]]; then
  stop
  exit 0
fi
if ! command -v dovecot >/dev/null 2>&1; then
  say "dovecot is not installed (apt-get install dovecot-imapd)"
  exit 1
fi
case "$(dovecot --version)" in
  2.3.*) ;;
  *) say "written for Dovecot 2.3; found $(dovecot --version)"; exit 1 ;;
esac

stop
if port_open; then
  say "something else already listens on 127.0.0.1:$port; set BOROUGH_DOVECOT_PORT"
  exit 1
fi

# Dovecot never runs mail processes as root: as root, mail belongs to its own `dovecot` user; otherwise every
# process runs as the current user.
if [[ "$(id -u)" == 0 ]]; then
  internal_user=dovecot
  internal_group=dovecot
  login_user=dovenull
  mail_user=dovecot
else
  internal_user="$(id -un)"
  internal_group="$(id -gn)"
  login_user="$(id -un)"
  mail_user="$(id -un)"
fi
mail_uid="$(id -u "$mail_user")"
mail_gid="$(id -g "$mail_user")"

rm -rf "$dir"
mkdir -p "$dir/run" "$dir/state" "$dir/mail"
chmod 755 "$dir"
chown "$mail_uid:$mail_gid" "$dir/mail"
# XOAUTH2 (and OAUTHBEARER) hand the bearer token to the passdb as the password, so the tests can log in with the
# password as the token: Dovecot checks the SASL exchange, without an OAuth2 provider.
printf '%s:{PLAIN}%s::::::\n' "$user" "$password" >"$dir/passwd"
chmod 644 "$dir/passwd"  # read by Dovecot's auth process (its internal user); a throwaway test password

cat >"$dir/dovecot.conf" <<CONF
# Written by .ci/dovecot-test.sh: a throwaway server for tests, on loopback only.
instance_name = borough-test-$port
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2
# Tests log in wrongly on purpose; the default 2 s delay after a failed login only slows them.
auth_failure_delay = 0
default_internal_user = $internal_user
default_internal_group = $internal_group
default_login_user = $login_user
first_valid_uid = $mail_uid
last_valid_uid = $mail_uid
mail_uid = $mail_uid
mail_gid = $mail_gid
mail_location = maildir:$dir/mail/%u
mail_max_userip_connections = 200
passdb {
  driver = passwd-file
  args = $dir/passwd
}
userdb {
  driver = static
  args = uid=$mail_uid gid=$mail_gid home=$dir/mail/%u
}
# No chroot: a normal user cannot chroot (and this server is a throwaway on loopback). No penalty on an address after
# failed logins (Dovecot's authentication penalty, 2 s doubling to 15 s): every test logs in from 127.0.0.1, so one
# test's (or one parallel test process's) wrong password on purpose would slow every login after it.
service anvil {
  chroot =
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
  inet_listener pop3s {
    port = 0
  }
}
service submission-login {
  inet_listener submission {
    port = 0
  }
}
service lmtp {
  unix_listener lmtp {
    mode = 0600
  }
}
CONF

dovecot -c "$dir/dovecot.conf"
for _ in $(seq 50); do port_open && break; sleep 0.1; done
if ! port_open; then
  say "Dovecot did not start; its log:"
  cat "$dir/dovecot.log" >&2 || true
  exit 1
fi
say "listening on 127.0.0.1:$port (user $user, mail in $dir/mail, log $dir/dovecot.log)"
echo "127.0.0.1:$port:$user:$password"
