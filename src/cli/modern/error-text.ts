import { describeCell } from '../../domain/cell';
import {
  AmbiguousCellError,
  Cell0HasNoHostsError,
  Cell0UrlError,
  CellInUseError,
  InvalidTransportUrlError,
  InvalidUrlError,
  MissingCellUrlError,
  MissingSettingError,
  NotNovaDatabaseError,
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
  if (error instanceof NotNovaDatabaseError) {
    return error.schema === 'api'
      ? `${error.message} (check --api-db or [api_database] connection; an empty database gets Nova's schema with api-db sync)`
      : `${error.message} (check the cell's database URL; an empty database gets Nova's schema with db sync)`;
  }
  return error.message;
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
