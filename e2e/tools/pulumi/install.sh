#!/usr/bin/env bash
# The CLI's release ships, beside its binaries, the script that starts the Node.js SDK's dynamic
# provider host (`pulumi-resource-pulumi-nodejs`, from sdk/nodejs/dist of the SDK module). The
# engine looks for it on PATH when a program declares a dynamic resource.
set -euo pipefail
dir=$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
install -m 0755 "$dir/nodejs/dist/pulumi-resource-pulumi-nodejs" "$1/pulumi-resource-pulumi-nodejs"
