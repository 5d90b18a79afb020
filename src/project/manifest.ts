/**
 * The project manifest, scaleout.project.json (the .ispac's manifest of SSIS): name, description,
 * project parameters and packages. A `node` package names its ES module; a `command` package its
 * argument vector, in which ${Name}, ${Project::Name}, ${Package::Name}, ${WorkFolder} and
 * ${ProjectFolder} are replaced — never through a shell. A node package may allow its process to be
 * reused by its next runs (reuseProcess). The catalog checks the same rules again at
 * deployment (catalog.deploy_project); this schema adds what only the worker needs.
 */

import { z } from 'zod/v3';

export const MANIFEST_FILE = 'scaleout.project.json';

export const PARAMETER_TYPES = ['Boolean', 'Byte', 'DateTime', 'Decimal', 'Double', 'Int16', 'Int32', 'Int64', 'SByte', 'Single', 'String', 'UInt32', 'UInt64'] as const;

// The catalog's rule (internal.is_valid_object_name): what a file name may not hold, no @ first.
const name128 = z.string().min(1).max(128).regex(/^[^"<>|/\\:*?@\x00-\x1f](?:[^"<>|/\\:*?\x00-\x1f]*[^"<>|/\\:*?\s\x00-\x1f])?$/, 'no leading or trailing space, none of " < > | / \\ : * ? or control characters, not starting with @');

const parameter = z
  .object({
    name: name128,
    type: z.enum(PARAMETER_TYPES),
    default: z.union([z.string(), z.number(), z.boolean()]).nullable().optional(),
    required: z.boolean().optional(),
    sensitive: z.boolean().optional(),
    description: z.string().max(1024).optional(),
  })
  .strict();

const common = {
  name: z.string().min(1).max(260),
  description: z.string().max(1024).optional(),
  entryPoint: z.boolean().optional(),
  timeoutSeconds: z.number().int().positive().max(999_999_999).optional(),
  parameters: z.array(parameter).optional(),
};

// reuseProcess: the package may run again in the process a previous run of it ended in (same
// project version), skipping Node's start; its module is loaded once, so state it keeps at module
// level is seen by the next run. Off unless the package says so.
const nodePackage = z.object({ ...common, kind: z.literal('node'), module: z.string().min(1).max(1024), reuseProcess: z.boolean().optional() }).strict();
const commandPackage = z.object({ ...common, kind: z.literal('command'), command: z.array(z.string()).min(1) }).strict();

export const manifestSchema = z
  .object({
    name: name128,
    description: z.string().max(1024).optional(),
    parameters: z.array(parameter).optional(),
    packages: z.array(z.discriminatedUnion('kind', [nodePackage, commandPackage])).min(1),
  })
  .strict()
  .superRefine((m, ctx) => {
    const dup = (names: string[]) => names.find((n, i) => names.indexOf(n) !== i);
    const pkg = dup(m.packages.map((p) => p.name));
    if (pkg) ctx.addIssue({ code: 'custom', path: ['packages'], message: `two packages are named ${pkg}` });
    const projectParam = dup((m.parameters ?? []).map((p) => p.name));
    if (projectParam) ctx.addIssue({ code: 'custom', path: ['parameters'], message: `two parameters are named ${projectParam}` });
    m.packages.forEach((p, i) => {
      const d = dup((p.parameters ?? []).map((x) => x.name));
      if (d) ctx.addIssue({ code: 'custom', path: ['packages', i, 'parameters'], message: `two parameters are named ${d}` });
    });
  });

export type Manifest = z.infer<typeof manifestSchema>;
export type PackageDefinition = Manifest['packages'][number];

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

/** Parses and checks a manifest's text; the message names every bad field. */
export function parseManifest(text: string, where = MANIFEST_FILE): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`${where} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new ManifestError(`${where} is not a valid project manifest — ${parsed.error.issues.map((i) => `${i.path.join('.') || '(manifest)'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
