#!/usr/bin/env bash
set -euo pipefail
go mod download github.com/pulumi/pulumi-kubernetes/provider/v4
dir=$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)
cp "$dir/cmd/pulumi-resource-kubernetes/schema.json" "$dir/cmd/pulumi-resource-kubernetes/terraform-mapping.json" .
chmod u+w schema.json terraform-mapping.json
