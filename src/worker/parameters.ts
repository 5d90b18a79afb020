/**
 * A task's resolved parameters, as the master hands them over (object_type 20 project, 30 package,
 * 50 system, values as text), turned into what a package sees: typed values by name, package
 * parameters over project ones, and the substitution of ${...} in a command package's arguments.
 */

import type { TaskParameter } from './master-client.ts';

export type ParameterValue = string | number | boolean | null;

export interface ResolvedParameters {
  readonly project: Record<string, ParameterValue>;
  readonly package: Record<string, ParameterValue>;
  readonly system: Record<string, ParameterValue>;
  /** Project parameters, overridden by the package's own of the same name. */
  readonly merged: Record<string, ParameterValue>;
}

const INTEGER_TYPES = new Set(['Byte', 'SByte', 'Int16', 'Int32', 'Int64', 'UInt32', 'UInt64']);
const REAL_TYPES = new Set(['Decimal', 'Double', 'Single']);

export function typedValue(dataType: string, value: string | null): ParameterValue {
  if (value === null || value === undefined) return null;
  if (dataType === 'Boolean') return /^(true|1)$/i.test(value.trim());
  if (INTEGER_TYPES.has(dataType)) {
    const n = Number(value);
    // 64-bit values beyond 2^53 stay text rather than lose digits.
    return Number.isSafeInteger(n) ? n : value;
  }
  if (REAL_TYPES.has(dataType)) return Number(value);
  return value;
}

export function resolveParameters(parameters: readonly TaskParameter[]): ResolvedParameters {
  const byType = (t: number) => Object.fromEntries(parameters.filter((p) => p.object_type === t).map((p) => [p.name, typedValue(p.data_type, p.value)]));
  const project = byType(20);
  const pkg = byType(30);
  return { project, package: pkg, system: byType(50), merged: { ...project, ...pkg } };
}

export class SubstitutionError extends Error {
  override readonly name = 'SubstitutionError';
}

/** Replaces ${Name}, ${Project::Name}, ${Package::Name} and the given extra names in one argument. */
export function substitute(argument: string, params: ResolvedParameters, extra: Record<string, string>): string {
  return argument.replace(/\$\{(?:(Project|Package)::)?([^}]+)\}/g, (_all, scope: string | undefined, name: string) => {
    const source = scope === 'Project' ? params.project : scope === 'Package' ? params.package : { ...params.merged, ...extra };
    if (!(name in source)) throw new SubstitutionError(`The command names \${${scope ? `${scope}::` : ''}${name}}, which is not a ${scope ? `${scope.toLowerCase()} ` : ''}parameter.`);
    const v = source[name];
    return v === null || v === undefined ? '' : String(v);
  });
}

/** SCALEOUT_PARAM_<NAME> for each merged parameter, for command packages that read the environment. */
export function parameterEnvironment(params: ResolvedParameters): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, v] of Object.entries(params.merged)) {
    env[`SCALEOUT_PARAM_${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`] = v === null ? '' : String(v);
  }
  return env;
}
