import { EnvironmentConfig } from "../config/environment";

/** Labels every object of a customer carries, so that it can be found and attributed. */
export function standardLabels(config: EnvironmentConfig, component: string): Record<string, string> {
  return {
    "app.kubernetes.io/managed-by": "ffnodes",
    "app.kubernetes.io/part-of": "ffnodes",
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/instance": config.tenancy.namespace,
    "ffnodes.fitfile.net/customer": config.customer.name,
    "ffnodes.fitfile.net/environment": config.environment,
  };
}
