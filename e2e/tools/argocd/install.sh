#!/usr/bin/env bash
# Argo CD's components are one binary that runs as the component it is named after
# (components/main.go, after Argo CD's cmd/main.go); each name the e2e runs is a link to it, as
# the release image has them.
set -euo pipefail
for name in argocd-applicationset-controller argocd-application-controller argocd-repo-server; do
  ln -s argocd "$1/$name"
done
