/**
 * The catalog's error numbers: one table for T-SQL (THROW 51xxx), PL/pgSQL (RAISE with SQLSTATE
 * 'SO' + last three digits and the number as the message prefix) and the HTTP API.
 *
 * Blocks: 510xx bad parameter, 511xx not found, 512xx wrong state, 513xx lease or fencing,
 * 514xx security, 519xx broken invariant. docs/errors.md documents each entry; a test fails when a
 * number raised in sql/ is missing here or when a number here is documented nowhere.
 */

export interface CatalogErrorInfo {
  readonly number: number;
  readonly symbol: string;
  /** HTTP status the master answers with when a procedure raises this error. */
  readonly httpStatus: number;
  /** The SSIS error this one stands for, where there is one. */
  readonly ssis?: number;
  readonly summary: string;
}

const entries: CatalogErrorInfo[] = [
  { number: 51000, symbol: 'argument_null', httpStatus: 400, ssis: 27100, summary: 'A required argument is NULL.' },
  { number: 51001, symbol: 'argument_invalid', httpStatus: 400, ssis: 27101, summary: 'An argument value is not accepted (reserved id, malformed value, out of range).' },
  { number: 51101, symbol: 'worker_agent_not_found', httpStatus: 404, ssis: 27243, summary: 'The worker agent does not exist.' },
  { number: 51102, symbol: 'master_not_registered', httpStatus: 409, summary: 'The master has not announced itself with internal.update_master_settings.' },
  { number: 51103, symbol: 'folder_not_found', httpStatus: 404, ssis: 27109, summary: 'The folder does not exist.' },
  { number: 51104, symbol: 'project_not_found', httpStatus: 404, ssis: 27146, summary: 'The project does not exist in that folder.' },
  { number: 51105, symbol: 'package_not_found', httpStatus: 404, ssis: 27146, summary: 'The package does not exist in that project.' },
  { number: 51106, symbol: 'execution_not_found', httpStatus: 404, ssis: 27103, summary: 'The execution does not exist.' },
  { number: 51107, symbol: 'operation_not_found', httpStatus: 404, ssis: 27143, summary: 'The operation does not exist.' },
  { number: 51108, symbol: 'parameter_not_found', httpStatus: 404, summary: 'The execution has no such parameter.' },
  { number: 51109, symbol: 'project_version_not_found', httpStatus: 404, summary: 'No project version has that content hash.' },
  { number: 51110, symbol: 'environment_not_found', httpStatus: 404, summary: 'The environment does not exist in that folder.' },
  { number: 51111, symbol: 'environment_variable_not_found', httpStatus: 404, summary: 'The environment has no such variable.' },
  { number: 51112, symbol: 'environment_reference_not_found', httpStatus: 404, summary: 'The environment reference does not exist (or belongs to another project).' },
  { number: 51113, symbol: 'referenced_environment_missing', httpStatus: 409, summary: 'The environment a reference or an execution names does not exist any more (deleted or moved).' },
  { number: 51114, symbol: 'object_parameter_not_found', httpStatus: 404, summary: 'The project (or its package) has no such parameter.' },
  { number: 51115, symbol: 'securable_not_found', httpStatus: 404, summary: 'The folder, project, environment or operation a permission names does not exist.' },
  { number: 51116, symbol: 'principal_not_found', httpStatus: 404, summary: 'No database principal (SQL Server user or role, PostgreSQL role) has that id or name.' },
  { number: 51201, symbol: 'worker_agent_exists', httpStatus: 409, summary: 'A worker agent with that id exists already.' },
  { number: 51202, symbol: 'certificate_in_use', httpStatus: 409, summary: 'The certificate is trusted for another worker agent.' },
  { number: 51203, symbol: 'worker_agent_busy', httpStatus: 409, summary: 'The worker agent holds running tasks (delete with @Force = 1).' },
  { number: 51204, symbol: 'folder_exists', httpStatus: 409, summary: 'A folder with that name exists already.' },
  { number: 51205, symbol: 'package_not_entry_point', httpStatus: 409, summary: 'The package is not an entry point.' },
  { number: 51206, symbol: 'execution_allows_any_worker', httpStatus: 409, ssis: 27251, summary: 'The execution may run on any worker; workers cannot be added to it.' },
  { number: 51207, symbol: 'execution_not_created', httpStatus: 409, ssis: 27121, summary: 'The execution has started already (only status 1 may be changed or started).' },
  { number: 51208, symbol: 'execution_outdated', httpStatus: 409, ssis: 27150, summary: 'The project was deployed again after the execution was created.' },
  { number: 51209, symbol: 'required_parameters_missing', httpStatus: 409, ssis: 27184, summary: 'Required parameters have no value.' },
  { number: 51210, symbol: 'operation_not_stoppable', httpStatus: 409, ssis: 27124, summary: 'The operation has ended or is not an execution.' },
  { number: 51211, symbol: 'operation_already_stopping', httpStatus: 409, ssis: 27126, summary: 'The operation is being stopped already.' },
  { number: 51212, symbol: 'server_execution_unsupported', httpStatus: 400, summary: 'Executions run in Scale Out only.' },
  { number: 51213, symbol: 'scaleout_disabled', httpStatus: 409, summary: 'Scale Out is disabled for the catalog.' },
  { number: 51214, symbol: 'environment_exists', httpStatus: 409, summary: 'An environment with that name exists already in the folder.' },
  { number: 51215, symbol: 'environment_variable_exists', httpStatus: 409, summary: 'The environment has a variable with that name already.' },
  { number: 51216, symbol: 'environment_reference_exists', httpStatus: 409, summary: 'The project references that environment so already.' },
  { number: 51217, symbol: 'environment_variable_type_mismatch', httpStatus: 409, summary: 'A referenced environment variable is of another type than its parameter.' },
  { number: 51218, symbol: 'referenced_variable_missing', httpStatus: 409, summary: 'A parameter references a variable the environment does not have.' },
  { number: 51219, symbol: 'sensitive_variable_to_plain_parameter', httpStatus: 409, ssis: 27221, summary: 'A sensitive environment variable cannot give its value to a parameter that is not sensitive.' },
  { number: 51301, symbol: 'lease_lost', httpStatus: 409, summary: 'The caller no longer holds the lease at that epoch.' },
  { number: 51302, symbol: 'task_lease_lost', httpStatus: 409, ssis: 27246, summary: 'The lease token is no longer the task\'s: the attempt expired or ended.' },
  { number: 51401, symbol: 'certificate_untrusted', httpStatus: 403, summary: 'The certificate is not trusted by the catalog.' },
  { number: 51402, symbol: 'certificate_mismatch', httpStatus: 403, summary: 'The worker agent presented a certificate other than the one registered for it.' },
  { number: 51403, symbol: 'not_authorized', httpStatus: 403, summary: 'The worker agent asked for what is not its own: another worker\'s lease, attempt or log stream, or a project of no task it holds.' },
  { number: 51404, symbol: 'protection_key_missing', httpStatus: 409, summary: 'The catalog has no protection key to encrypt a sensitive value with (scaleout migrate up or scaleout catalog key create gives it one).' },
  { number: 51405, symbol: 'permission_denied', httpStatus: 403, summary: 'The caller lacks the object permission (READ, MODIFY, EXECUTE, MANAGE_PERMISSIONS, …) the call needs.' },
];

/** Every catalog error, by number. */
export const catalogErrors: ReadonlyMap<number, CatalogErrorInfo> = new Map(entries.map((e) => [e.number, e]));

/** SQLSTATE the PostgreSQL dialect raises for a catalog error number (51203 -> 'SO203'). */
export function sqlStateFor(number: number): string {
  return `SO${String(number % 1000).padStart(3, '0')}`;
}

/** The catalog error number a PostgreSQL SQLSTATE and message stand for, if it is one of ours. */
export function numberFromSqlState(code: string | undefined, message: string): number | undefined {
  if (!code || !/^SO\d{3}$/.test(code)) return undefined;
  const m = /^(5\d{4}):/.exec(message);
  if (m) return Number(m[1]);
  return 51000 + Number(code.slice(2));
}

/** An error raised by a catalog procedure: the same number and text on every backend. */
const CATALOG_ERROR_BRAND = Symbol.for('scaleout.CatalogError');

export class CatalogError extends Error {
  /**
   * Recognised by a brand rather than by prototype, so that an error raised by a driver loaded in
   * another module graph (a test runner loading CommonJS beside ES modules) is still one.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[CATALOG_ERROR_BRAND] === true;
  }

  readonly [CATALOG_ERROR_BRAND] = true;
  readonly number: number;
  readonly symbol: string;
  readonly httpStatus: number;

  constructor(number: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CatalogError';
    this.number = number;
    const info = catalogErrors.get(number);
    this.symbol = info?.symbol ?? 'unknown';
    this.httpStatus = info?.httpStatus ?? 500;
  }
}

/** Strips the "51203: " prefix the PostgreSQL dialect puts before the text. */
export function messageWithoutNumber(message: string): string {
  return message.replace(/^5\d{4}:\s*/, '');
}

/** How much of a refused value a message shows: enough to recognise it, never a whole upload. */
export const ECHO_LIMIT = 100;

/** A value as an error message shows it: at most ECHO_LIMIT characters, binary data by its size. */
export function shownValue(value: unknown): string {
  let text: string;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) text = `<${value.length} bytes>`;
  else if (value instanceof Date) text = Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  else if (typeof value === 'object' && value !== null) text = JSON.stringify(value) ?? String(value);
  else text = String(value);
  text = text.replace(/\u0000/g, '\\0');
  return text.length > ECHO_LIMIT ? `${text.slice(0, ECHO_LIMIT)}… (${text.length} characters)` : text;
}

/** The text of catalog error 51001, as internal.error_text writes it. */
export function invalidArgumentText(parameter: string, value: unknown, expected: string): string {
  return `The value '${shownValue(value)}' for ${parameter} is not accepted: ${expected}. Nothing was changed.`;
}
