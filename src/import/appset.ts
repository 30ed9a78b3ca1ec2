import { z } from "zod";
import { valueAtPath } from "../config/merge";
import { Problem, issuesToProblems, joinPath } from "../config/problems";

/** One application of the ApplicationSet: its service and the Helm value files, lowest precedence first. */
interface AppSetService {
  name: string;
  /** Repository paths as ArgoCD reads them (`/ffnodes/kch/prod/values/...`), in valueFiles order. */
  valueFiles: string[];
}

interface ApplicationSetRead {
  services: AppSetService[];
  problems: Problem[];
}

const element = z.looseObject({ serviceName: z.string().min(1, "the service's name") });

/** The part of an ApplicationSet the importer relies on; everything else is left to the mapping table. */
const applicationSet = z.object({
  spec: z.object({
    generators: z.array(
      z.record(z.string(), z.unknown()).check(
        z.refine((g) => "list" in g, { message: "only list generators can be imported", abort: true }),
      ).pipe(z.object({ list: z.object({ elements: z.array(element) }) })),
    ),
    template: z.object({
      spec: z.object({
        source: z.object({ helm: z.object({ valueFiles: z.array(z.string()).min(1, "at least one value file") }) }),
      }),
    }),
  }),
});

const PARAMETER = /\{\{\s*\.?([A-Za-z0-9_.]+)\s*\}\}/g;


/**
 * The value files each application of an ApplicationSet reads, in the order Helm merges them
 * (later files win): the template's `helm.valueFiles` with each list element's parameters
 * (`{{values.appConfig}}`, `{{ .serviceName }}`) filled in.
 */
export function readApplicationSet(file: string, document: unknown): ApplicationSetRead {
  const parsed = applicationSet.safeParse(document);
  if (!parsed.success) return { services: [], problems: issuesToProblems(parsed.error.issues, document, () => ({ file, prefix: "" })) };
  const valueFiles = parsed.data.spec.template.spec.source.helm.valueFiles;
  const services: AppSetService[] = [];
  const problems: Problem[] = [];
  parsed.data.spec.generators.forEach((generator, g) => {
    generator.list.elements.forEach((values, e) => {
      const files = valueFiles.map((template, v) =>
        template.replace(PARAMETER, (_, name: string) => {
          const value = valueAtPath(values, name.split("."));
          if (typeof value === "string") return value;
          problems.push({
            file,
            path: joinPath("spec.template.spec.source.helm.valueFiles", v),
            message: `parameter '${name}' is not a string in element spec.generators.${g}.list.elements.${e} (${values.serviceName})`,
          });
          return "";
        }),
      );
      services.push({ name: values.serviceName, valueFiles: files });
    });
  });
  const seen = new Set<string>();
  for (const service of services) {
    if (seen.has(service.name)) problems.push({ file, path: "spec.generators", message: `service '${service.name}' is listed twice` });
    seen.add(service.name);
  }
  return { services, problems };
}
