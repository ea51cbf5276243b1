/**
 * cellctl's error hierarchy. Every error has a stable string `code` and carries what went wrong
 * as typed fields (the cell it concerns, the other cell of a clash, the blockers and their
 * counts...), so each front words it its own way; `message` is a plain, front-neutral default
 * that names no flag. The CLI maps errors to exit codes in one place (invalid input 127,
 * environment 255) unless a command maps one to an outcome of its own. No field or message holds
 * an unmasked secret.
 */

/** How the CLI treats an error that no command mapped to an outcome of its own. */
export type ErrorKind = 'invalid-input' | 'environment';

import { describeCell } from './cell';
import type { NovaDatabaseKind } from './database-kind';

/** A cell as errors and events name it. */
export interface CellRef {
  uuid: string;
  name: string | null;
}

/** Base class of every error cellctl raises on purpose; `cause` is always kept. */
export abstract class CellctlError extends Error {
  abstract readonly code: string;
  abstract readonly kind: ErrorKind;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Invalid input: exit 127 unless a command documents another code for it. */
export abstract class InvalidInputError extends CellctlError {
  readonly kind = 'invalid-input' as const;
}

/** The environment failed (database unreachable, refused credentials...): exit 255 by default. */
export abstract class EnvironmentError extends CellctlError {
  readonly kind = 'environment' as const;
}

/** A flag or argument value is malformed or out of range (raised by fronts and parsers). */
export class InvalidOptionError extends InvalidInputError {
  readonly code = 'INVALID_OPTION';
}

/** Flags that cannot be combined were given together (raised by fronts). */
export class ConflictingOptionsError extends InvalidInputError {
  readonly code = 'CONFLICTING_OPTIONS';
}

/** The parts of an InvalidUrlError whose URL's origin the raiser did not know, for a front to name it. */
export interface UnsourcedUrlProblem {
  /** The URL as quoted (masked, or not at all; a template as typed). */
  quoted: string;
  /** What follows the origin, such as " (a template, rendered with ...)"; may be empty. */
  note: string;
  reason: string;
}

/**
 * A connection URL does not parse; the message carries the masked URL and the reason. `unsourced`
 * is set when the message cannot say where the URL came from (a front may: a flag it was given).
 */
export class InvalidUrlError extends InvalidInputError {
  readonly code = 'INVALID_URL';

  constructor(
    message: string,
    readonly unsourced?: UnsourcedUrlProblem,
  ) {
    super(message);
  }
}

/** A connection URL parses but names a database cellctl does not speak (postgresql, ...). */
export class UnsupportedSchemeError extends InvalidInputError {
  readonly code = 'UNSUPPORTED_SCHEME';
}

/** A configuration file or directory is missing, unreadable or malformed. */
export class ConfigError extends InvalidInputError {
  readonly code = 'CONFIG';
}

/** The settings a command may need and can miss. */
export type Setting = 'api_database.connection' | 'database.connection' | 'DEFAULT.transport_url';

/** A required setting (such as the API database connection) is configured nowhere. */
export class MissingSettingError extends InvalidInputError {
  readonly code = 'MISSING_SETTING';

  constructor(readonly setting: Setting) {
    super(`no ${setting === 'api_database.connection' ? 'API database' : setting === 'database.connection' ? 'cell database' : 'transport URL'} configured: [${setting.replace('.', '] ')} is not set`);
  }
}

/** No cell matches the given name or UUID; `known` lists the cells there are. */
export class CellNotFoundError extends InvalidInputError {
  readonly code = 'CELL_NOT_FOUND';

  constructor(
    readonly ref: string,
    readonly known: CellRef[],
  ) {
    super(`no cell has the name or UUID '${ref}' (${known.length ? `known cells: ${known.map(describeCell).join(', ')}` : 'no cells are mapped yet'})`);
  }
}

/** A cell name matches more than one cell; `candidates` are all of them. */
export class AmbiguousCellError extends InvalidInputError {
  readonly code = 'AMBIGUOUS_CELL';

  constructor(
    readonly ref: string,
    readonly candidates: CellRef[],
  ) {
    super(`cell name '${ref}' matches ${candidates.length} cells: ${candidates.map(describeCell).join(', ')}`);
  }
}

/** A cell mapping without a database_connection, asked for its database. */
export class CellWithoutDatabaseError extends InvalidInputError {
  readonly code = 'CELL_WITHOUT_DATABASE';

  constructor(readonly cell: CellRef) {
    super(`cell ${describeCell(cell)} has no database_connection`);
  }
}

/** A database could not be reached (refused, timed out, unknown host, missing file directory). */
export class DatabaseUnreachableError extends EnvironmentError {
  readonly code = 'DATABASE_UNREACHABLE';

  /** `target` is the masked URL; `reason` the driver's, in a few words. */
  constructor(
    readonly target: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot reach database ${target}: ${reason}`, options);
  }
}

/** The database server refused the credentials or the account lacks a privilege. */
export class DatabaseAccessDeniedError extends EnvironmentError {
  readonly code = 'DATABASE_ACCESS_DENIED';

  constructor(
    readonly target: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`database ${target} refused access: ${reason}`, options);
  }
}

/** A statement failed for a reason that is neither input nor connectivity. */
export class DatabaseError extends EnvironmentError {
  readonly code = 'DATABASE';

  constructor(
    readonly target: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`database ${target} failed: ${reason}`, options);
  }
}

/** A lock held by another session was not released within the wait allowed. */
export class LockTimeoutError extends EnvironmentError {
  readonly code = 'LOCK_TIMEOUT';

  constructor(
    readonly target: string,
    readonly lock: string,
    /** How long it waited, when cellctl knows (the server's own lock wait timeouts do not say). */
    readonly waitedMs?: number,
    options?: { cause?: unknown },
  ) {
    super(`database ${target} is locked by another session: gave up waiting for its ${lock}${waitedMs === undefined ? '' : ` after ${waitedMs / 1000} s`}`, options);
  }
}

/** A database was closed while work on it was still going (its cell timed out). */
export class DatabaseClosedError extends EnvironmentError {
  readonly code = 'DATABASE_CLOSED';

  constructor(readonly target: string) {
    super(`database ${target} was closed while in use`);
  }
}

/** A cell's work did not end within its deadline; its connections were dropped. */
export class CellTimeoutError extends EnvironmentError {
  readonly code = 'CELL_TIMEOUT';

  constructor(
    readonly subject: string,
    readonly timeoutMs: number,
  ) {
    super(`${subject} did not answer within ${timeoutMs / 1000} s`);
  }
}

/** Why a schema is refused: what the database holds, compared with Nova's revision. */
export interface SchemaRefusal {
  /** The masked URL of the database. */
  target: string;
  schema: 'api' | 'cell';
  status: 'other-revision' | 'legacy' | 'incomplete' | 'unstamped';
  revision: string | null;
  expectedRevision: string;
  tableCount: number;
  missingTables: string[];
  /** Unstamped only: the first table (by name) that keeps the tables from being a partial Nova schema to complete. */
  blocker?: PartialSchemaBlocker;
  /** Set when the tables are those of Nova's other database (the API and cell URLs swapped, say). */
  holds?: 'api' | 'cell';
  /** The mapped cell whose database this is, when it was reached through one. */
  cell?: CellRef;
}

/** Database objects besides tables that a schema may hold (Nova's has none of them). */
export type DatabaseObjectKind = 'view' | 'trigger' | 'routine' | 'event';

/** How a table differs from Nova's definition: the first differing part, as its catalogue shows it. */
export interface TableDifference {
  part: 'table' | 'column' | 'index' | 'foreign key';
  name: string;
  problem: 'missing' | 'unexpected' | 'differs';
  /** For `differs`: Nova's and the database's version of the part. */
  expected?: string;
  found?: string;
}

/** Why an unstamped database's tables are not a partial Nova schema: a table not Nova's, holding rows, or unlike Nova's. */
export type PartialSchemaBlocker =
  | { table: string; reason: 'foreign' | 'rows' }
  /** A view, trigger, routine or event: Nova's schema has none. */
  | { table: string; reason: 'object'; kind: DatabaseObjectKind }
  | { table: string; reason: 'differs'; difference: TableDifference };

/**
 * A database holds a schema that is neither empty nor at a Nova revision cellctl knows, so
 * cellctl refuses to touch it. Commands that sync schemas map this to a documented outcome.
 */
export class SchemaRefusedError extends EnvironmentError {
  readonly code = 'SCHEMA_REFUSED';

  constructor(readonly refusal: SchemaRefusal) {
    super(describeRefusal(refusal));
  }
}

function describeRefusal(r: SchemaRefusal): string {
  const where = `${r.schema === 'api' ? 'API' : 'cell'} database ${r.target}`;
  if (r.holds !== undefined) {
    const stamp = r.revision === null ? '' : ` (revision ${r.revision})`;
    return `${where} holds Nova's ${r.holds === 'api' ? 'API' : 'cell'} schema${stamp}, not the ${r.schema === 'api' ? 'API' : 'cell'} schema: cellctl changes nothing`;
  }
  const nova = r.schema === 'api' ? 'nova-manage api_db sync' : 'nova-manage db sync';
  const preview = r.missingTables.length > 5 ? `${r.missingTables.slice(0, 5).join(', ')}, ...` : r.missingTables.join(', ');
  switch (r.status) {
    case 'other-revision':
      return `${where} is at Nova schema revision ${r.revision}, not ${r.expectedRevision} (Nova 26 Zed); cellctl changes nothing, upgrade it with Nova's own ${nova}`;
    case 'legacy':
      return `${where} is under sqlalchemy-migrate version ${r.revision} (Nova before Yoga); upgrade it with Nova's own ${nova}`;
    case 'incomplete':
      return `${where} is stamped ${r.revision} but lacks ${r.missingTables.length} of Nova's tables (${preview}); refusing to touch a partial schema`;
    case 'unstamped':
      return r.blocker
        ? `${where} holds ${r.tableCount} tables but no alembic_version stamp, and ${describeBlocker(r.blocker)}: refusing to create Nova's schema over them (drop them, or use an empty database)`
        : `${where} holds ${r.tableCount} tables but no alembic_version stamp: refusing to create Nova's schema over foreign or partial tables (drop them, or use an empty database)`;
  }
}

function describeBlocker(b: PartialSchemaBlocker): string {
  if (b.reason === 'object') return `${b.kind} ${b.table} is not part of Nova's schema`;
  if (b.reason !== 'differs') return b.reason === 'foreign' ? `${b.table} is not a table of Nova's schema` : `Nova's table ${b.table} holds rows`;
  const d = b.difference;
  const what =
    d.problem === 'missing' ? `${d.part} ${d.name} is missing` : d.problem === 'unexpected' ? `${d.part} ${d.name} is not in it` : `${d.part} ${d.name} is ${d.found}, not ${d.expected}`;
  return `table ${b.table} differs from Nova's definition (${what})`;
}

/** A file or directory cellctl must write (the embedded home) cannot be created or written. */
export class FileSystemError extends EnvironmentError {
  readonly code = 'FILE_SYSTEM';
}

/** A transport URL oslo.messaging would refuse (Nova: "Invalid transport URL: <reason>"). */
export class InvalidTransportUrlError extends InvalidInputError {
  readonly code = 'INVALID_TRANSPORT_URL';

  /** `url` is masked (quoteUrl: not quoted at all unless URL-shaped); `problem` is oslo.messaging's reason. */
  constructor(
    readonly url: string,
    readonly problem: string,
  ) {
    super(`invalid transport URL ${url}: ${problem}`);
  }
}

/** No database or transport URL was given for a new cell and the configuration has none either. */
export class MissingCellUrlError extends InvalidInputError {
  readonly code = 'MISSING_CELL_URL';

  constructor(readonly field: 'database_connection' | 'transport_url') {
    super(`no ${field === 'database_connection' ? 'database URL' : 'transport URL'} for the cell, given or configured`);
  }
}

/** The cell-mapping field two cells may not share. */
export type CellField = 'name' | 'database_connection' | 'transport_url';

/**
 * Another cell already has this name, database connection or transport URL (compared rendered,
 * cell0 included). The message contains "already exists" and the other cell's UUID.
 */
export class DuplicateCellError extends InvalidInputError {
  readonly code = 'DUPLICATE_CELL';

  /** `value` is as given, masked. */
  constructor(
    readonly field: CellField,
    readonly value: string,
    readonly other: CellRef,
  ) {
    const what = field === 'name' ? `a cell named '${value}'` : field === 'database_connection' ? `the database connection ${value}` : `the transport URL ${value}`;
    // NOTE: Nova's phrase ("already exists for another cell with uuid X"), then the name, which describeCell would follow with the UUID again.
    super(`${what} already exists for another cell with uuid ${other.uuid}${other.name ? ` (${other.name})` : ''}`);
  }
}

/** cell0 cannot be enabled or disabled (it is never scheduled to). */
export class Cell0ToggleError extends InvalidInputError {
  readonly code = 'CELL0_TOGGLE';

  constructor() {
    super('cell0 cannot be enabled or disabled: it is never scheduled to');
  }
}

/** What keeps a cell from being deleted, and how many of it there are. */
export interface CellBlocker {
  kind: 'hosts' | 'instances' | 'stale-instance-mappings';
  count: number;
  /** How many there were when the deletion was checked (set when the cell changed meanwhile). */
  previous?: number;
}

/**
 * A cell cannot be deleted while something depends on it (`blockers`, all of them), or it
 * changed while it was being deleted (`changed`: mappings were added meanwhile).
 */
export class CellInUseError extends InvalidInputError {
  readonly code = 'CELL_IN_USE';

  constructor(
    readonly cell: CellRef,
    readonly blockers: CellBlocker[],
    readonly changed = false,
  ) {
    const what = blockers.map((b) =>
      b.kind === 'hosts'
        ? `${b.count} host(s) are mapped to it`
        : b.kind === 'instances'
          ? `${b.count} ${changed ? 'instance mapping(s) point at it now' : 'live instance(s) are in its database'}`
          : `${b.count} instance mapping(s) of deleted instances remain`,
    );
    super(changed ? `cell ${describeCell(cell)} changed while it was being deleted (${what.join('; ')}): nothing deleted` : `cell ${describeCell(cell)} cannot be deleted: ${what.join('; ')}`);
  }

  /** The first blocker: what decides the exit code. */
  get blocker(): CellBlocker['kind'] {
    return this.blockers[0].kind;
  }
}

/** A host named on the command line has no host mapping (`host delete`). */
export class HostNotMappedError extends InvalidInputError {
  readonly code = 'HOST_NOT_MAPPED';

  constructor(readonly host: string) {
    super(`host ${host} is not mapped to any cell`);
  }
}

/** A host is mapped, but to another cell than the one named. */
export class HostInOtherCellError extends InvalidInputError {
  readonly code = 'HOST_IN_OTHER_CELL';

  constructor(
    readonly host: string,
    readonly cell: CellRef,
    readonly mappedTo: CellRef,
  ) {
    super(`host ${host} is not in cell ${describeCell(cell)}: it is mapped to cell ${describeCell(mappedTo)}`);
  }
}

/** A host still runs live instances in its cell, so its mapping is kept (`host delete`). */
export class HostHasInstancesError extends EnvironmentError {
  readonly code = 'HOST_HAS_INSTANCES';

  constructor(
    readonly host: string,
    readonly cell: CellRef,
    readonly instances: number,
  ) {
    super(`${instances === 1 ? 'there is 1 live instance' : `there are ${instances} live instances`} on host ${host} in cell ${describeCell(cell)}; move or delete them first`);
  }
}

/** cell0 was named where only cells with compute hosts make sense (host discovery). */
export class Cell0HasNoHostsError extends InvalidInputError {
  readonly code = 'CELL0_HAS_NO_HOSTS';

  constructor(readonly cell: CellRef) {
    super(`cell0 never has hosts (${describeCell(cell)}): host discovery skips it`);
  }
}

/** A value given to a service is not of the expected form (a malformed instance UUID...). */
export class InvalidValueError extends InvalidInputError {
  readonly code = 'INVALID_VALUE';

  constructor(
    readonly field: string,
    readonly value: string,
    readonly expected: string,
  ) {
    super(`'${value}' is not ${expected}`);
  }
}

/** Something failed that cellctl has no name for (a bug, most likely); `cause` holds it. */
export class UnexpectedError extends EnvironmentError {
  readonly code = 'UNEXPECTED';

  constructor(cause: unknown) {
    super(`unexpected error: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** cell0's database URL cannot be derived from `[database] connection`. */
export class Cell0UrlError extends InvalidInputError {
  readonly code = 'CELL0_URL';

  /** `reason`: the URL names no database, or its name (`stem`) already ends in `_cell0`. */
  constructor(
    readonly reason: 'no-database-name' | 'already-cell0',
    readonly stem?: string,
  ) {
    super(
      reason === 'no-database-name'
        ? "the [database] connection names no database to derive cell0's from"
        : `the [database] connection already names a cell0 database (${stem}); appending _cell0 would give ${stem}_cell0`,
    );
  }
}

/** Why a value cannot be written as given (see UnstorableValueError). */
export type ValueProblem =
  | { kind: 'empty' }
  | { kind: 'blank' }
  | { kind: 'control-character'; codePoint: number }
  | { kind: 'bidi-control'; codePoint: number }
  | { kind: 'uuid' }
  | { kind: 'too-long'; limit: number; unit: 'characters' | 'bytes'; length: number }
  | { kind: 'charset'; charset: string; codePoint: number };

/** The values cellctl checks before writing them. */
export type CheckedField = 'cell name' | 'database URL' | 'transport URL' | 'host name';

/**
 * A value is refused before anything is written: a blank, control- or bidi-character cell name, or a
 * value Nova's column cannot hold (longer than it, or characters outside its charset). `value`
 * is as given (masked for URLs); the message shows it escaped and shortened, on one line.
 */
export class UnstorableValueError extends InvalidInputError {
  readonly code = 'UNSTORABLE_VALUE';

  constructor(
    readonly field: CheckedField,
    readonly value: string,
    readonly problem: ValueProblem,
    /** The column it was checked against (`cell_mappings.name`), when the problem is the column's. */
    readonly column?: string,
  ) {
    super(`${field} ${previewValue(value)} ${describeValueProblem(problem, column)}`);
  }
}

function previewValue(value: string): string {
  const shown = [...value].length > 60 ? `${[...value].slice(0, 57).join('')}...` : value;
  // NOTE: JSON.stringify leaves U+2028/U+2029 and format characters (zero-width, bidi controls) as
  // they are; a terminal would break the line there, show nothing, or reorder the rest of the line.
  return JSON.stringify(shown).replace(/[\u2028\u2029\p{Cf}]/gu, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

function codePointName(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

function describeValueProblem(p: ValueProblem, column?: string): string {
  switch (p.kind) {
    case 'empty':
      return 'is empty';
    case 'blank':
      return 'is blank';
    case 'control-character':
      return `contains a ${p.codePoint === 0x2028 || p.codePoint === 0x2029 ? 'line separator' : 'control character'} (${codePointName(p.codePoint)})`;
    case 'bidi-control':
      return `contains a bidirectional control (${codePointName(p.codePoint)})`;
    case 'uuid':
      return 'is a UUID: cells are looked up by UUID before name';
    case 'too-long':
      return `is too long: ${p.length} ${p.unit}, ${column ?? 'the column'} holds at most ${p.limit}`;
    case 'charset':
      return `contains ${codePointName(p.codePoint)}, which ${column ?? 'the column'} (${p.charset}) cannot hold (${p.charset === 'utf8mb3' ? 'no 4-byte UTF-8 characters such as emoji' : 'outside its character set'})`;
  }
}

/** The query parameters of a MySQL URL that name something on this machine. */
export type UrlParameter = 'charset' | 'ssl_ca' | 'ssl_cert' | 'ssl_key';

/**
 * A database URL names, in its query, what this machine does not have: a charset MySQL clients
 * do not know, or an ssl_ca/ssl_cert/ssl_key file that cannot be read (`reason`: no such file,
 * permission denied...). `target` is the masked URL.
 */
export class UnusableUrlParameterError extends InvalidInputError {
  readonly code = 'UNUSABLE_URL_PARAMETER';

  constructor(
    readonly target: string,
    readonly parameter: UrlParameter,
    readonly value: string,
    readonly reason?: string,
    options?: { cause?: unknown },
  ) {
    super(
      parameter === 'charset'
        ? `database URL ${target}: charset '${value}' is not a character set MySQL clients know (such as utf8, utf8mb4 or latin1)`
        : `database URL ${target}: ${parameter} names ${value}, which cannot be read: ${reason ?? 'unknown reason'}`,
      options,
    );
  }
}

/**
 * A database lacks a table of Nova's schema that a command reads or writes: it is not a Nova
 * database of that kind (another application's, a cell database given as the API one), or its
 * schema was never created. `target` is the masked URL.
 */
export class NotNovaDatabaseError extends EnvironmentError {
  readonly code = 'NOT_NOVA_DATABASE';
  /** What the database holds instead, when its tables could be read: nothing, or Nova's other database. */
  readonly found?: NovaDatabaseKind;
  /** The mapped cell whose database this is, when it was reached through one. */
  readonly cell?: CellRef;

  constructor(
    readonly target: string,
    readonly schema: 'api' | 'cell',
    readonly table: string,
    options?: { cause?: unknown; found?: NovaDatabaseKind; cell?: CellRef },
  ) {
    const kind = schema === 'api' ? 'API' : 'cell';
    const found = options?.found;
    super(
      found === 'empty'
        ? `${kind} database ${target} is empty (none of Nova's tables)`
        : found !== undefined && found !== 'other' && found !== schema
          ? `${kind} database ${target} holds Nova's ${found === 'api' ? 'API' : 'cell'} schema, not the ${kind} schema`
          : `${kind} database ${target} is not a Nova ${kind} database: it has no ${table} table`,
      options,
    );
    if (found !== undefined) this.found = found;
    if (options?.cell !== undefined) this.cell = options.cell;
  }
}

/**
 * A database that was to be read does not exist yet: no SQLite file (`directoryMissing` when its
 * directory is missing too), or no such database on the MySQL server. `target` is the masked URL;
 * `cell` the mapped cell whose database it is, when it was reached through one.
 */
export class DatabaseMissingError extends EnvironmentError {
  readonly code = 'DATABASE_MISSING';

  constructor(
    readonly target: string,
    readonly schema: 'api' | 'cell' | undefined,
    readonly cell?: CellRef,
    readonly directoryMissing = false,
    options?: { cause?: unknown },
  ) {
    super(`${schema === 'api' ? 'API database' : schema === 'cell' ? 'cell database' : 'database'} ${target} does not exist yet`, options);
  }
}

/** `--migration` names no online data migration; `known` lists them all, in the order they run. */
export class UnknownMigrationError extends InvalidInputError {
  readonly code = 'UNKNOWN_MIGRATION';

  constructor(
    readonly migration: string,
    readonly known: readonly string[],
  ) {
    super(`no online data migration is named '${migration}' (known: ${known.join(', ')})`);
  }
}

/** A configuration setting a command reads holds a value it cannot use; `expected` says what it takes. */
export class InvalidSettingError extends InvalidInputError {
  readonly code = 'INVALID_SETTING';

  constructor(
    readonly group: string,
    readonly option: string,
    readonly value: string,
    readonly expected: string,
  ) {
    super(`[${group}] ${option} is ${JSON.stringify(value)}: it must be ${expected}`);
  }
}

/** No instance group has the given UUID or name (in the given project), in the API database or any cell. */
export class InstanceGroupNotFoundError extends InvalidInputError {
  readonly code = 'INSTANCE_GROUP_NOT_FOUND';

  constructor(
    readonly ref: string,
    readonly project?: string,
  ) {
    super(`no instance group has the UUID or name '${ref}'${project === undefined ? '' : ` in project ${project}`}`);
  }
}

/** An instance group name matches several groups; `uuids` are all of them. */
export class AmbiguousInstanceGroupError extends InvalidInputError {
  readonly code = 'AMBIGUOUS_INSTANCE_GROUP';

  constructor(
    readonly ref: string,
    readonly uuids: string[],
  ) {
    super(`instance group name '${ref}' matches ${uuids.length} instance groups: ${uuids.join(', ')}`);
  }
}

/** A new flavor's name or flavor ID is taken. */
export class FlavorExistsError extends InvalidInputError {
  readonly code = 'FLAVOR_EXISTS';

  constructor(
    readonly field: 'name' | 'flavor ID',
    readonly value: string,
    /** The flavor ID of the flavor that has it. */
    readonly other: string,
  ) {
    super(`a flavor with the ${field} ${JSON.stringify(value)} already exists (flavor ID ${JSON.stringify(other)})`);
  }
}

/** No flavor has the given flavor ID or name. */
export class FlavorNotFoundError extends InvalidInputError {
  readonly code = 'FLAVOR_NOT_FOUND';

  constructor(readonly ref: string) {
    super(`no flavor has the ID or name ${JSON.stringify(ref)}`);
  }
}

/**
 * No cell0 is mapped, so an instance that could not be scheduled has nowhere to go: nothing is
 * written (Nova would log an error and leave its build request and cell-less mapping behind).
 */
export class Cell0MissingError extends InvalidInputError {
  readonly code = 'CELL0_MISSING';

  constructor() {
    super('no cell0 is mapped, so instances that cannot be scheduled cannot be recorded: run cellctl cell0 setup');
  }
}

/** cell0 has no row of the instance (it was placed in a cell, or never existed), or it is mapped to another cell. */
export class InstanceNotInCell0Error extends InvalidInputError {
  readonly code = 'INSTANCE_NOT_IN_CELL0';

  /** `mappedTo`: the cell its mapping points at, when that is another cell than cell0. */
  constructor(
    readonly uuid: string,
    readonly mappedTo?: string,
  ) {
    super(mappedTo === undefined ? `instance ${uuid} is not in cell0 (see cellctl instance verify ${uuid})` : `instance ${uuid} is not in cell0: it is mapped to cell ${mappedTo}`);
  }
}

/**
 * The instance's build request is still there and cell0 holds no row of it: a stuck build (its
 * burial cut short, or never made), `instance stuck`'s to bury or delete, not a cell0 instance.
 */
export class StuckBuildNotInCell0Error extends InvalidInputError {
  readonly code = 'STUCK_BUILD_NOT_IN_CELL0';

  constructor(readonly uuid: string) {
    super(`instance ${uuid} is a stuck build, not in cell0: its build request is still there and cell0 holds no row of it; cellctl instance stuck buries it or deletes it`);
  }
}

/**
 * An instance no mapping, build request or cell row knows; or whose row was archived, leaving its
 * mapping; or whose mapping names a cell that is no longer mapped.
 */
export class InstanceNotFoundError extends InvalidInputError {
  readonly code = 'INSTANCE_NOT_FOUND';

  constructor(
    readonly uuid: string,
    readonly why: 'unknown' | 'archived' | 'cell-gone',
    cell?: CellRef,
  ) {
    super(
      why === 'unknown'
        ? `instance ${uuid} was not found: no instance mapping, build request or cell has it`
        : why === 'archived'
          ? `instance ${uuid} was not found in cell ${cell ? (cell.name ?? cell.uuid) : '?'}: its row is gone (archived) though its mapping is left (see cellctl instance verify ${uuid})`
          : `instance ${uuid} was not found: its mapping names a cell that is no longer mapped (see cellctl instance verify ${uuid})`,
    );
  }
}

/** A `--marker` that names no instance a listing can start after. */
export class MarkerNotFoundError extends InvalidInputError {
  readonly code = 'MARKER_NOT_FOUND';

  constructor(readonly marker: string) {
    super(`marker ${marker} was not found: no build request, and no mapped instance row (deleted ones included), has that UUID`);
  }
}
