/**
 * cellctl's error hierarchy. Every error has a stable string `code`; the CLI maps errors to exit
 * codes in one place (invalid input 127, environment 255) unless a command maps a specific error
 * to one of its own documented outcomes. Messages never contain unmasked secrets.
 */

/** How the CLI treats an error that no command mapped to an outcome of its own. */
export type ErrorKind = 'invalid-input' | 'environment';

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

/** A flag or argument value is malformed or out of range. */
export class InvalidOptionError extends InvalidInputError {
  readonly code = 'INVALID_OPTION';
}

/** Flags that cannot be combined were given together. */
export class ConflictingOptionsError extends InvalidInputError {
  readonly code = 'CONFLICTING_OPTIONS';
}

/** A connection URL does not parse; the message carries the masked URL and the reason. */
export class InvalidUrlError extends InvalidInputError {
  readonly code = 'INVALID_URL';
}

/** A connection URL parses but names a database cellctl does not speak (postgresql, ...). */
export class UnsupportedSchemeError extends InvalidInputError {
  readonly code = 'UNSUPPORTED_SCHEME';
}

/** A configuration file or directory is missing, unreadable or malformed. */
export class ConfigError extends InvalidInputError {
  readonly code = 'CONFIG';
}

/** A required setting (such as the API database connection) is configured nowhere. */
export class MissingSettingError extends InvalidInputError {
  readonly code = 'MISSING_SETTING';
}

/** No cell matches the given name or UUID. */
export class CellNotFoundError extends InvalidInputError {
  readonly code = 'CELL_NOT_FOUND';
}

/** A cell name matches more than one cell; the message names the candidates. */
export class AmbiguousCellError extends InvalidInputError {
  readonly code = 'AMBIGUOUS_CELL';
}

/** A database could not be reached (refused, timed out, unknown host, missing file directory). */
export class DatabaseUnreachableError extends EnvironmentError {
  readonly code = 'DATABASE_UNREACHABLE';
}

/** The database server refused the credentials or the account lacks a privilege. */
export class DatabaseAccessDeniedError extends EnvironmentError {
  readonly code = 'DATABASE_ACCESS_DENIED';
}

/** A statement failed for a reason that is neither input nor connectivity. */
export class DatabaseError extends EnvironmentError {
  readonly code = 'DATABASE';
}

/**
 * A database holds a schema that is neither empty nor at a Nova revision cellctl knows, so
 * cellctl refuses to touch it. Commands that sync schemas map this to a documented outcome.
 */
export class SchemaRefusedError extends EnvironmentError {
  readonly code = 'SCHEMA_REFUSED';
}

/** A file or directory cellctl must write (the embedded home) cannot be created or written. */
export class FileSystemError extends EnvironmentError {
  readonly code = 'FILE_SYSTEM';
}

/** A transport URL oslo.messaging would refuse (Nova: "Invalid transport URL: <reason>"). */
export class InvalidTransportUrlError extends InvalidInputError {
  readonly code = 'INVALID_TRANSPORT_URL';
}

/** No database or transport URL was given and the configuration has none either. */
export class MissingCellUrlError extends InvalidInputError {
  readonly code = 'MISSING_CELL_URL';
}

/**
 * Another cell already has this name, database connection or transport URL (compared rendered,
 * cell0 included). The message contains "already exists" and the other cell's UUID.
 */
export class DuplicateCellError extends InvalidInputError {
  readonly code = 'DUPLICATE_CELL';
}

/** cell0 cannot be enabled or disabled (it is never scheduled to). */
export class Cell0ToggleError extends InvalidInputError {
  readonly code = 'CELL0_TOGGLE';
}

/** A cell cannot be deleted while something depends on it; the message names the blockers. */
export class CellInUseError extends InvalidInputError {
  readonly code = 'CELL_IN_USE';

  constructor(
    message: string,
    readonly blocker: 'hosts' | 'instances' | 'stale-instance-mappings',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A host named on the command line has no host mapping (`host delete`). */
export class HostNotMappedError extends InvalidInputError {
  readonly code = 'HOST_NOT_MAPPED';
}

/** A host is mapped, but to another cell than the one named; the message names that cell. */
export class HostInOtherCellError extends InvalidInputError {
  readonly code = 'HOST_IN_OTHER_CELL';
}

/** A host still runs live instances in its cell, so its mapping is kept (`host delete`). */
export class HostHasInstancesError extends EnvironmentError {
  readonly code = 'HOST_HAS_INSTANCES';
}
