/** One small interface over the three catalog backends: SQL Server, PostgreSQL and PGlite. */

export type Dialect = 'mssql' | 'postgres';
export type BackendKind = 'mssql' | 'pg' | 'pglite';

export type Row = Record<string, unknown>;

export interface Capabilities {
  /** Several sessions at once (PGlite has exactly one). */
  readonly multiConnection: boolean;
  /** LISTEN/NOTIFY wake-ups. */
  readonly listenNotify: boolean;
}

export interface CallOptions {
  /**
   * The call may be sent again after a lost connection without doing its work twice.
   * Deadlocks and serialization failures are always retried: the server rolled the call back.
   */
  readonly idempotent?: boolean;
}

export interface ProcedureResult {
  /** Values of OUTPUT (T-SQL) / INOUT (PL/pgSQL) parameters, keyed by parameter name without '@'. */
  readonly output: Row;
  /** Every result set, in order. */
  readonly recordsets: Row[][];
  /** The first result set, or an empty array. */
  readonly rows: Row[];
}

/** A dedicated connection: used for locks that belong to a session and for migration scripts. */
export interface Session {
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs a script of several statements (one batch; T-SQL callers split on GO first). */
  batch(sql: string): Promise<void>;
}

export interface CatalogDb {
  readonly backend: BackendKind;
  readonly dialect: Dialect;
  readonly capabilities: Capabilities;
  /** Where the catalog is, without secrets: for logs and messages. */
  readonly description: string;
  /** Calls a catalog procedure by name ('catalog.start_execution') with named parameters. */
  call(procedure: string, params?: Readonly<Record<string, unknown>>, options?: CallOptions): Promise<ProcedureResult>;
  /** Runs one statement in the backend's own dialect; parameters are $1.. (PostgreSQL) or @p1.. (T-SQL). */
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs fn on one connection held for its whole duration. */
  withSession<T>(fn: (session: Session) => Promise<T>): Promise<T>;
  /**
   * Calls onNotify for every NOTIFY on the channel (PostgreSQL and PGlite; absent on SQL Server),
   * reconnecting by itself after a lost connection. Returns a function that stops listening.
   */
  listen?(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /** Forgets cached procedure signatures (migrations re-applied objects). */
  forgetRoutines(): void;
  close(): Promise<void>;
}
