import { describeCell } from '../../domain/cell';
import {
  AmbiguousCellError,
  Cell0HasNoHostsError,
  Cell0UrlError,
  CellInUseError,
  DatabaseMissingError,
  InvalidTransportUrlError,
  InvalidUrlError,
  MissingCellUrlError,
  MissingSettingError,
  NotNovaDatabaseError,
  SchemaRefusedError,
  type CellRef,
} from '../../domain/errors';

/** How the modern front names the flag or setting behind each setting a command can miss. */
const SETTING_HINT: Record<MissingSettingError['setting'], string> = {
  'api_database.connection': 'no API database configured: set [api_database] connection, OS_API_DATABASE__CONNECTION or --api-db',
  'database.connection': 'no cell database configured: set [database] connection, OS_DATABASE__CONNECTION or --db',
  'DEFAULT.transport_url': 'no transport URL configured: pass --transport-url or set [DEFAULT] transport_url',
};

/** What the front can say about where a value came from, asked only when an error needs it. */
export interface ErrorSources {
  /** `--transport-url`, or the configuration layer (file and key, or variable) that gave it. */
  transportUrl?: () => string | undefined;
  /** `--database-connection` when the command was given one (the URL an unsourced URL error is about). */
  databaseUrl?: () => string | undefined;
  /** The embedded deployment's home, when it is in use (its sync creates the directory a database lacks). */
  embeddedHome?: () => string | undefined;
}

/**
 * An error as the modern front words it: the service's data turned into one sentence that names
 * the modern flags which fix it. Errors with nothing front-specific to say keep their message.
 */
export function errorText(error: Error, sources: ErrorSources = {}): string {
  if (error instanceof InvalidTransportUrlError) {
    const source = sources.transportUrl?.();
    return source === undefined ? error.message : `invalid transport URL ${error.url} from ${source}: ${error.problem}`;
  }
  if (error instanceof InvalidUrlError && error.unsourced) {
    const source = sources.databaseUrl?.();
    if (source !== undefined) return `invalid database URL ${error.unsourced.quoted} from ${source}${error.unsourced.note}: ${error.unsourced.reason}`;
  }
  if (error instanceof MissingSettingError) return SETTING_HINT[error.setting];
  if (error instanceof MissingCellUrlError) {
    return error.field === 'database_connection'
      ? 'no database URL for the cell: pass --database-connection or set [database] connection'
      : 'no transport URL for the cell: pass --transport-url or set [DEFAULT] transport_url';
  }
  if (error instanceof Cell0UrlError) return `${error.message}: pass --database-connection`;
  if (error instanceof Cell0HasNoHostsError) return `${error.message}; name another cell or leave --cell out`;
  if (error instanceof AmbiguousCellError) return `${error.message}; use the UUID`;
  if (error instanceof CellInUseError) return cellInUseText(error);
  if (error instanceof DatabaseMissingError) return databaseMissingText(error, sources);
  if (error instanceof NotNovaDatabaseError) return notNovaDatabaseText(error);
  if (error instanceof SchemaRefusedError && error.refusal.holds !== undefined) {
    return `${error.message}; ${otherKindFix(error.refusal.schema, error.refusal.cell)}`;
  }
  return error.message;
}

/** The command that creates the schema of a database of this kind (a mapped cell's by its name, else its UUID). */
export function syncCommand(schema: 'api' | 'cell', cell?: CellRef): string {
  if (schema === 'api') return '`cellctl api-db sync`';
  return cell ? `\`cellctl db sync --cell ${cellArgument(cell)}\`` : '`cellctl db sync`';
}

/** How a cell is named on a command line: its name when that is a plain word, else its UUID. */
function cellArgument(cell: CellRef): string {
  return cell.name !== null && /^[A-Za-z0-9._-]+$/.test(cell.name) ? cell.name : cell.uuid;
}

/** The fix for a database that holds Nova's other database: swap the two URLs, or give the cell its own. */
export function otherKindFix(schema: 'api' | 'cell', cell?: CellRef): string {
  if (cell) return `give cell ${cellArgument(cell)} its own cell database with \`cellctl cell update ${cellArgument(cell)} --database-connection URL\``;
  return schema === 'api'
    ? 'if [api_database] connection (--api-db) and [database] connection (--db) are swapped, swap them'
    : 'if [database] connection (--db) and [api_database] connection (--api-db) are swapped, swap them';
}

function databaseMissingText(error: DatabaseMissingError, sources: ErrorSources): string {
  const schema = error.schema ?? 'cell';
  if (error.directoryMissing) {
    // The embedded deployment's sync creates its home; anywhere else the directory is the operator's to make.
    const home = sources.embeddedHome?.();
    const inHome = home !== undefined && error.target.includes(`${home}/`);
    if (!inHome) return `${error.message}, nor its directory: create the directory, then run ${syncCommand(schema, error.cell)}`;
  }
  return `${error.message}: create it with ${syncCommand(schema, error.cell)}`;
}

function notNovaDatabaseText(error: NotNovaDatabaseError): string {
  if (error.found === 'empty') return `${error.message}: create Nova's ${error.schema === 'api' ? 'API' : 'cell'} schema with ${syncCommand(error.schema, error.cell)}`;
  if (error.found === 'api' || error.found === 'cell') {
    if (error.found !== error.schema) return `${error.message}: ${otherKindFix(error.schema, error.cell)}`;
  }
  return error.schema === 'api'
    ? `${error.message} (check --api-db or [api_database] connection; an empty database gets Nova's schema with api-db sync)`
    : `${error.message} (check the cell's database URL; an empty database gets Nova's schema with db sync)`;
}

function cellInUseText(error: CellInUseError): string {
  const cell = describeCell(error.cell);
  if (error.changed) {
    const [b] = error.blockers;
    const what = b.kind === 'hosts' ? 'host mapping(s)' : 'instance mapping(s)';
    return `cell ${cell} changed while it was being deleted (it now has ${b.count} ${what}, not ${b.previous ?? 0}): no mapping deleted; check it and run the command again`;
  }
  const why = error.blockers.map((b) =>
    b.kind === 'hosts'
      ? `${b.count} host(s) are mapped to it (delete them with host delete, or use --force)`
      : b.kind === 'instances'
        ? `${b.count} live instance(s) are in its database (never removed, not even with --force)`
        : `${b.count} instance mapping(s) of deleted instances remain (archive them first, or use --force)`,
  );
  return `cell ${cell} cannot be deleted: ${why.join('; ')}`;
}

/** A configuration value a cell write took, as the modern front announces it. */
export function valueFromConfigurationText(field: 'database_connection' | 'transport_url', maskedValue: string): string {
  return field === 'database_connection'
    ? `--database-connection not given: using [database] connection from the configuration (${maskedValue})`
    : `--transport-url not given: using [DEFAULT] transport_url from the configuration (${maskedValue})`;
}
