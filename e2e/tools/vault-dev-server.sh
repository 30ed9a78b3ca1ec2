#!/usr/bin/env bash
# Runs a Vault dev server in the foreground: in memory, unsealed, root token given, listening on
# loopback only. The one way the e2e suite starts Vault: e2e/env.ts for the control plane, the
# bridged providers' Go tests for theirs.
#
#   e2e/tools/vault-dev-server.sh <vault binary> <127.0.0.1:port> <root token> <home>
#
# <home> is the server's HOME: the dev server writes its token to $HOME/.vault-token, which must
# not be the user's own. mlock is off: a dev server holds nothing worth locking in memory, and a
# process without CAP_IPC_LOCK could not lock it.
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 <vault binary> <127.0.0.1:port> <root token> <home>" >&2; exit 2; }
case $2 in 127.0.0.1:*) ;; *) echo "$0: listens on 127.0.0.1 only, not '$2'" >&2; exit 2 ;; esac
HOME=$4 VAULT_DISABLE_MLOCK=true exec "$1" server -dev -dev-root-token-id="$3" -dev-listen-address="$2"
