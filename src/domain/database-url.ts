/**
 * SQLAlchemy database URLs as Nova stores them (MySQL/MariaDB and SQLite): parsing, the pooling
 * key, and reading or replacing the database name without touching any other character. Pure
 * functions: nothing here reads the process or the file system. Error messages carry the masked URL
 * (or none, for a value that is not URL-shaped) and, when the caller says, where it came from.
 */
import { posix as posixPath } from 'node:path';
import { InvalidUrlError, UnsupportedSchemeError } from './errors';
import { isIpv6Address } from './python-compat';
import { splitAuthority } from './url-authority';
import { maskUrl, quoteUrl } from './url-masking';

/** The port a MySQL/MariaDB URL without one connects to. */
export const MYSQL_DEFAULT_PORT = 3306;

/** A parsed MySQL/MariaDB URL (any of the drivers Nova deployments name). */
export interface MysqlDatabaseUrl {
  dialect: 'mysql';
  user?: string;
  password?: string;
  host?: string;
  port: number;
  database?: string;
  socketPath?: string;
  charset?: string;
  ssl?: { ca?: string; cert?: string; key?: string; verifyCert?: boolean };
  /** Query parameters cellctl does not act on (names only), for a notice. */
  ignoredParams: string[];
  /** The URL exactly as given. */
  raw: string;
}

/** A parsed SQLite URL; `path` is absolute. */
export interface SqliteDatabaseUrl {
  dialect: 'sqlite';
  path: string;
  /** Query parameters cellctl does not act on (names only), for a notice. */
  ignoredParams: string[];
  /** The URL exactly as given. */
  raw: string;
}

/** A database URL cellctl can open. */
export type DatabaseUrl = MysqlDatabaseUrl | SqliteDatabaseUrl;

const MYSQL_SCHEMES = new Set([
  'mysql',
  'mysql+pymysql',
  'mysql+mysqldb',
  'mysql+mysqlconnector',
  'mariadb',
  'mariadb+pymysql',
]);
const SQLITE_SCHEMES = new Set(['sqlite', 'sqlite+pysqlite']);

const SUPPORTED_SCHEMES_HINT = 'cellctl speaks MySQL/MariaDB (mysql+pymysql://) and SQLite (sqlite:///)';

/** SQLAlchemy's `asbool` spellings, lower-cased. */
const TRUE_WORDS = new Set(['true', 'yes', 'on', 'y', 't', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', 'n', 'f', '0']);

/**
 * Parses a SQLAlchemy database URL (MySQL/MariaDB or SQLite); relative SQLite paths resolve against
 * `cwd` (absolute). `source` (a flag, a variable, a file's section and key) is named by errors;
 * when `raw` was rendered from a cell-mapping `template`, errors quote the template, not `raw`, and
 * `source` names where its values came from.
 * Throws InvalidUrlError (malformed, in-memory SQLite) or UnsupportedSchemeError.
 */
export function parseDatabaseUrl(raw: string, cwd: string, source?: string, template?: string): DatabaseUrl {
  const anatomy = dissectDatabaseUrl(raw, source, template);
  if (anatomy.dialect === 'sqlite') {
    const written = anatomy.databaseText ?? '';
    const path = posixPath.isAbsolute(written)
      ? posixPath.normalize(written)
      : posixPath.normalize(posixPath.join(cwd, written));
    return { dialect: 'sqlite', path, ignoredParams: queryNames(anatomy), raw };
  }
  return buildMysqlUrl(anatomy, raw);
}

/**
 * Returns a canonical identity of the database a URL reaches (same server, database and account
 * give the same key), for pooling. The key holds the password: never print it. Throws nothing.
 */
export function databaseUrlKey(url: DatabaseUrl): string {
  if (url.dialect === 'sqlite') return JSON.stringify(['sqlite', url.path]);
  return JSON.stringify([
    'mysql',
    url.socketPath ?? null,
    url.socketPath ? null : (url.host ?? 'localhost').toLowerCase(),
    url.socketPath ? null : url.port,
    url.user ?? null,
    url.password ?? null,
    url.database ?? null,
    url.charset ?? null,
    url.ssl ? [url.ssl.ca ?? null, url.ssl.cert ?? null, url.ssl.key ?? null, url.ssl.verifyCert ?? null] : null,
  ]);
}

/**
 * Returns the database name a URL names as written (MySQL: the path segment, undefined when absent;
 * SQLite: the file path as written). Throws like parseDatabaseUrl.
 */
export function databaseNameOf(raw: string): string | undefined {
  return dissectDatabaseUrl(raw).databaseText;
}

/**
 * Returns `raw` with only the database name (SQLite: the file path, written as-is after `sqlite:///`)
 * replaced by `newName`; every other character is kept. Throws like parseDatabaseUrl, or
 * InvalidUrlError when `newName` cannot stand in a URL path.
 */
export function replaceDatabaseName(raw: string, newName: string): string {
  const anatomy = dissectDatabaseUrl(raw);
  if (newName === '' || newName.includes('?') || /^\s|\s$/.test(newName)) {
    throw new InvalidUrlError(`invalid database name ${JSON.stringify(newName)} for ${maskUrl(raw)}`);
  }
  if (anatomy.dialect === 'mysql' && newName.includes('/')) {
    throw new InvalidUrlError(`invalid database name ${JSON.stringify(newName)} for ${maskUrl(raw)}: it contains "/"`);
  }
  const { databaseStart, databaseEnd } = anatomy;
  const slash = anatomy.hasDatabaseSlash ? '' : '/';
  return raw.slice(0, databaseStart) + slash + newName + raw.slice(databaseEnd);
}

interface DatabaseUrlAnatomy {
  dialect: 'mysql' | 'sqlite';
  /** The trimmed URL. */
  text: string;
  /** How errors name the URL: masked (or not quoted), with where it came from (see urlNaming). */
  naming: { quoted: string; note: string; sourced: boolean };
  userinfo?: string;
  hostport: string;
  databaseText?: string;
  /** Offsets into the raw (untrimmed) URL of the database text, and whether a `/` precedes it. */
  databaseStart: number;
  databaseEnd: number;
  hasDatabaseSlash: boolean;
  query?: string;
}

/**
 * How messages name a database URL: quoted (masked, or not at all) and where it came from; a URL
 * rendered from a template is named by the template (it holds `{password}`, not the password).
 */
function urlNaming(text: string, source: string | undefined, template: string | undefined): { quoted: string; note: string; sourced: boolean } {
  if (template !== undefined) {
    return { quoted: quoteUrl(template.trim()), note: ` (a template, rendered with the values of ${source ?? 'the [database] connection'})`, sourced: false };
  }
  return { quoted: quoteUrl(text), note: source === undefined ? '' : ` from ${source}`, sourced: source !== undefined };
}

function invalidUrl(naming: { quoted: string; note: string; sourced: boolean }): (reason: string) => InvalidUrlError {
  return (reason) =>
    new InvalidUrlError(`invalid database URL ${naming.quoted}${naming.note}: ${reason}`, naming.sourced ? undefined : { quoted: naming.quoted, note: naming.note, reason });
}

function dissectDatabaseUrl(raw: string, source?: string, template?: string): DatabaseUrlAnatomy {
  const lead = raw.length - raw.trimStart().length;
  const text = raw.trim();
  if (text === '') throw new InvalidUrlError(source === undefined ? 'empty database URL' : `empty database URL from ${source}`);
  const naming = urlNaming(text, source, template);
  const described = `${naming.quoted}${naming.note}`;
  const invalid = invalidUrl(naming);

  const sep = text.indexOf('://');
  if (sep < 0) throw invalid('expected dialect+driver://user:password@host:port/database or sqlite:///path');
  const scheme = text.slice(0, sep);
  if (!/^[A-Za-z][A-Za-z0-9+._-]*$/.test(scheme)) throw invalid('malformed scheme before "://"');
  const lowered = scheme.toLowerCase();
  const restStart = sep + 3;
  const rest = text.slice(restStart);

  if (SQLITE_SCHEMES.has(lowered)) {
    if (rest === '') throw invalid('in-memory SQLite keeps nothing between runs; name a file (sqlite:///path)');
    if (!rest.startsWith('/')) {
      throw invalid('a SQLite URL takes no host or credentials: use sqlite:///relative.db or sqlite:////absolute.db');
    }
    const q = rest.indexOf('?');
    const pathEnd = q < 0 ? rest.length : q;
    const path = rest.slice(1, pathEnd);
    if (path === '' || path === ':memory:') {
      throw invalid('in-memory SQLite keeps nothing between runs; name a file (sqlite:///path)');
    }
    return {
      dialect: 'sqlite',
      text,
      naming,
      hostport: '',
      databaseText: path,
      databaseStart: lead + restStart + 1,
      databaseEnd: lead + restStart + pathEnd,
      hasDatabaseSlash: true,
      query: q < 0 ? undefined : rest.slice(q + 1),
    };
  }
  if (!MYSQL_SCHEMES.has(lowered)) {
    throw new UnsupportedSchemeError(
      `unsupported database URL scheme ${JSON.stringify(scheme)} in ${described}: ${SUPPORTED_SCHEMES_HINT}`,
    );
  }

  // NOTE: SQLAlchemy does not treat '#' as a fragment delimiter, so neither do we here.
  const authority = splitAuthority(rest, '/?');
  const hostport = rest.slice(authority.hostStart, authority.tailStart);
  const tail = rest.slice(authority.tailStart);
  const tailStart = lead + restStart + authority.tailStart;
  let databaseText: string | undefined;
  let databaseStart = tailStart;
  let databaseEnd = tailStart;
  let hasDatabaseSlash = false;
  let query: string | undefined;
  const q = tail.indexOf('?');
  if (tail.startsWith('/')) {
    const end = q < 0 ? tail.length : q;
    databaseText = tail.slice(1, end);
    databaseStart = tailStart + 1;
    databaseEnd = tailStart + end;
    hasDatabaseSlash = true;
    if (databaseText.includes('/')) throw invalid('the database name contains "/"');
    if (databaseText === '') databaseText = undefined;
  }
  if (q >= 0) query = tail.slice(q + 1);
  return {
    dialect: 'mysql',
    text,
    naming,
    userinfo: authority.userinfo,
    hostport,
    databaseText,
    databaseStart,
    databaseEnd,
    hasDatabaseSlash,
    query,
  };
}

function buildMysqlUrl(anatomy: DatabaseUrlAnatomy, raw: string): MysqlDatabaseUrl {
  const invalid = invalidUrl(anatomy.naming);
  const url: MysqlDatabaseUrl = { dialect: 'mysql', port: MYSQL_DEFAULT_PORT, ignoredParams: [], raw };

  if (anatomy.userinfo !== undefined) {
    const colon = anatomy.userinfo.indexOf(':');
    const userText = colon < 0 ? anatomy.userinfo : anatomy.userinfo.slice(0, colon);
    const user = percentDecode(userText, () => invalid('bad percent-encoding in the user name'));
    if (user !== '') url.user = user;
    if (colon >= 0) {
      const password = percentDecode(anatomy.userinfo.slice(colon + 1), () => invalid('bad percent-encoding in the password'));
      if (password !== '') url.password = password;
    }
  }

  const hostport = anatomy.hostport;
  if (hostport.includes(',')) throw invalid('a database URL names a single host');
  let host: string;
  let portText: string | undefined;
  if (hostport.startsWith('[')) {
    const close = hostport.indexOf(']');
    if (close < 0) throw invalid('unterminated "[" in the host');
    host = hostport.slice(1, close);
    const after = hostport.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) throw invalid('unexpected text after the bracketed IPv6 host');
    if (!isIpv6Address(host)) throw invalid('the host in brackets is not an IPv6 address');
    portText = after === '' ? undefined : after.slice(1);
  } else {
    if (hostport.includes('[') || hostport.includes(']')) throw invalid('stray bracket in the host');
    const colon = hostport.indexOf(':');
    host = colon < 0 ? hostport : hostport.slice(0, colon);
    portText = colon < 0 ? undefined : hostport.slice(colon + 1);
  }
  if (host !== '') url.host = host;
  if (portText !== undefined && portText !== '') {
    if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      // NOTE: without credentials, "nova:pw" (the '@' forgotten) reads as host "nova", port "pw".
      throw invalid(
        anatomy.userinfo === undefined && /[^0-9]/.test(portText)
          ? 'the text after ":" is not a port (credentials need user:password@host)'
          : 'the port is not a number between 1 and 65535',
      );
    }
    url.port = Number(portText);
  }
  if (anatomy.databaseText !== undefined) url.database = anatomy.databaseText;

  const ssl: NonNullable<MysqlDatabaseUrl['ssl']> = {};
  let anySsl = false;
  for (const [name, value] of queryPairs(anatomy.query, invalid)) {
    switch (name) {
      case 'charset':
        if (value !== '') url.charset = value;
        break;
      case 'unix_socket':
        if (value !== '') url.socketPath = value;
        break;
      case 'ssl_ca':
      case 'ssl_cert':
      case 'ssl_key':
        if (value !== '') {
          ssl[name.slice(4) as 'ca' | 'cert' | 'key'] = value;
          anySsl = true;
        }
        break;
      case 'ssl_verify_cert': {
        const word = value.trim().toLowerCase();
        if (TRUE_WORDS.has(word)) ssl.verifyCert = true;
        else if (FALSE_WORDS.has(word)) ssl.verifyCert = false;
        else throw invalid('ssl_verify_cert takes true/false, yes/no or 1/0');
        anySsl = true;
        break;
      }
      default:
        if (!url.ignoredParams.includes(name)) url.ignoredParams.push(name);
    }
  }
  if (anySsl) url.ssl = ssl;
  return url;
}

function queryNames(anatomy: DatabaseUrlAnatomy): string[] {
  const invalid = invalidUrl(anatomy.naming);
  const names: string[] = [];
  for (const [name] of queryPairs(anatomy.query, invalid)) if (!names.includes(name)) names.push(name);
  return names;
}

/** Splits a query string the way `parse_qsl` does ('&' separators, '+' is a space); empty parts skipped. */
function queryPairs(query: string | undefined, invalid: (reason: string) => Error): Array<[string, string]> {
  if (query === undefined || query === '') return [];
  const pairs: Array<[string, string]> = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const nameText = eq < 0 ? part : part.slice(0, eq);
    const valueText = eq < 0 ? '' : part.slice(eq + 1);
    const name = percentDecode(nameText.replace(/\+/g, ' '), () => invalid('bad percent-encoding in a query parameter name'));
    const value = percentDecode(valueText.replace(/\+/g, ' '), () => invalid(`bad percent-encoding in the value of query parameter ${name}`));
    pairs.push([name, value]);
  }
  return pairs;
}

function percentDecode(text: string, onError: () => Error): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw onError();
  }
}
