/**
 * Connection URLs as Nova stores them: SQLAlchemy database URLs, oslo.messaging transport URLs and
 * the cell-mapping templates rendered from them. Pure functions: nothing here reads the process or
 * the file system. Every error message carries the masked URL, never a password.
 */
import { posix as posixPath } from 'node:path';
import { InvalidUrlError, UnsupportedSchemeError } from './errors';

/** The port a MySQL/MariaDB URL without one connects to. */
export const MYSQL_DEFAULT_PORT = 3306;

/** What replaces a password (or a password-like query value) in masked output. */
export const SECRET_MASK = '****';

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

/** The keys Nova's `CellMapping._format_url` fills; `{password}` and friends are not secrets. */
const TEMPLATE_KEY = /^(?:username|password|hostname|port|scheme|query|fragment|path)\d*$/;

// ---------------------------------------------------------------------------------------------
// Database URLs
// ---------------------------------------------------------------------------------------------

/**
 * Parses a SQLAlchemy database URL (MySQL/MariaDB or SQLite); relative SQLite paths resolve against
 * `cwd` (absolute). Throws InvalidUrlError (malformed, in-memory SQLite) or UnsupportedSchemeError.
 */
export function parseDatabaseUrl(raw: string, cwd: string): DatabaseUrl {
  const anatomy = dissectDatabaseUrl(raw);
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
  userinfo?: string;
  hostport: string;
  databaseText?: string;
  /** Offsets into the raw (untrimmed) URL of the database text, and whether a `/` precedes it. */
  databaseStart: number;
  databaseEnd: number;
  hasDatabaseSlash: boolean;
  query?: string;
}

function dissectDatabaseUrl(raw: string): DatabaseUrlAnatomy {
  const lead = raw.length - raw.trimStart().length;
  const text = raw.trim();
  if (text === '') throw new InvalidUrlError('empty database URL');
  const invalid = (reason: string): InvalidUrlError => new InvalidUrlError(`invalid database URL ${maskUrl(text)}: ${reason}`);

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
      `unsupported database URL scheme ${JSON.stringify(scheme)} in ${maskUrl(text)}: ${SUPPORTED_SCHEMES_HINT}`,
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
  const masked = maskUrl(anatomy.text);
  const invalid = (reason: string): InvalidUrlError => new InvalidUrlError(`invalid database URL ${masked}: ${reason}`);
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
      throw invalid('the port is not a number between 1 and 65535');
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
  const invalid = (reason: string): InvalidUrlError => new InvalidUrlError(`invalid database URL ${maskUrl(anatomy.text)}: ${reason}`);
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

// ---------------------------------------------------------------------------------------------
// Authority (user:password@host:port) location, shared by parsing and masking
// ---------------------------------------------------------------------------------------------

interface AuthoritySplit {
  /** Everything before the '@' that ends the credentials; undefined when there is none. */
  userinfo?: string;
  /** Offset (in `rest`) where the host part starts. */
  hostStart: number;
  /** Offset (in `rest`) where the path, query or fragment starts. */
  tailStart: number;
}

/**
 * Locates credentials and host in the text after `scheme://`. The authority normally ends at the
 * first delimiter and the credentials at its last '@'.
 */
function splitAuthority(rest: string, delimiters: string): AuthoritySplit {
  const segmentEnd = indexOfAny(rest, delimiters, 0);
  const segment = rest.slice(0, segmentEnd);
  let at = segment.lastIndexOf('@');
  const lastEntry = segment.slice(segment.lastIndexOf(',') + 1).replace(/\[[^\]]*\]/g, '');
  const colon = lastEntry.indexOf(':');
  if (!lastEntry.includes('@') && colon >= 0) {
    // NOTE: a password holding a raw '/', '?' or '#' ends urlparse's netloc early, while SQLAlchemy
    // reads it up to the '@'. Look past the delimiter for that '@' (mask rather than leak). After a
    // real "host:port", an '@' in the query string (an ssl_ca path) is not a credentials end.
    const portLike = /^[0-9]*$/.test(lastEntry.slice(colon + 1));
    const firstAt = rest.indexOf('@', segmentEnd);
    const firstQuery = rest.indexOf('?', segmentEnd);
    if (firstAt >= 0 && (!portLike || firstQuery < 0 || firstAt < firstQuery)) {
      // The host list ends at the first '/' after that '@' (or, without a path, at the first '?').
      let stop = rest.indexOf('/', firstAt);
      if (stop < 0) stop = rest.indexOf('?', firstAt);
      at = stop < 0 ? rest.lastIndexOf('@') : rest.lastIndexOf('@', stop - 1);
    }
  }
  if (at < 0) return { hostStart: 0, tailStart: segmentEnd };
  return { userinfo: rest.slice(0, at), hostStart: at + 1, tailStart: indexOfAny(rest, delimiters, at + 1) };
}

function indexOfAny(text: string, chars: string, from: number): number {
  for (let i = from; i < text.length; i++) if (chars.includes(text.charAt(i))) return i;
  return text.length;
}

// ---------------------------------------------------------------------------------------------
// Masking
// ---------------------------------------------------------------------------------------------

const URL_PREFIX = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const SECRET_PARAM = /^(?:password|passwd|pwd|secret|token)$|[_-](?:password|passwd|pwd|secret|token)$/i;

/**
 * Returns `raw` with every password hidden as `****` (each `user:password@` of a multi-host URL and
 * password-like query values) and every other character kept; `{password}` placeholders stay.
 * Strings that are not `scheme://` URLs get a pattern-based fallback. Throws nothing.
 */
export function maskUrl(raw: string): string {
  const prefix = URL_PREFIX.exec(raw);
  if (!prefix) return maskLoosely(raw);
  const rest = raw.slice(prefix[0].length);
  const authority = splitAuthority(rest, '/?#');
  const netloc = rest.slice(0, authority.tailStart);
  const tail = rest.slice(authority.tailStart);
  return prefix[0] + maskNetloc(netloc) + maskTail(tail);
}

/**
 * Returns `text` with every URL-like token (`scheme://...`) passed through maskUrl; text without
 * URLs comes back unchanged. Meant for driver messages and stack traces. Throws nothing.
 */
export function scrubSecrets(text: string): string {
  return text.replace(/[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s'"<>`]*/g, (token) => maskUrl(token));
}

function maskNetloc(netloc: string): string {
  if (!netloc.includes('@')) return netloc;
  const parts = netloc.split(',');
  const entries: string[] = [];
  let i = 0;
  while (i < parts.length) {
    let entry = parts[i++] as string;
    // NOTE: a password holding a raw ',' splits one entry in two ("u:p" and "w@h"): rejoin them.
    if (!entry.includes('@') && looksLikeBrokenCredentials(entry) && parts.slice(i).some((p) => p.includes('@'))) {
      while (i < parts.length && !entry.includes('@')) entry += ',' + parts[i++];
    }
    entries.push(entry);
  }
  return entries.map(maskNetlocEntry).join(',');
}

/** True when an entry without '@' reads like "user:pass" rather than "host:port". */
function looksLikeBrokenCredentials(entry: string): boolean {
  if (entry.startsWith('[')) return false;
  const colon = entry.indexOf(':');
  return colon >= 0 && !/^[0-9]*$/.test(entry.slice(colon + 1));
}

function maskNetlocEntry(entry: string): string {
  const at = entry.lastIndexOf('@');
  if (at < 0) return entry;
  const userinfo = entry.slice(0, at);
  const colon = userinfo.indexOf(':');
  if (colon < 0) return entry;
  const password = userinfo.slice(colon + 1);
  if (password === '' || isPlaceholder(password)) return entry;
  return userinfo.slice(0, colon + 1) + SECRET_MASK + entry.slice(at);
}

function maskTail(tail: string): string {
  const q = tail.indexOf('?');
  if (q < 0) return tail;
  const hash = tail.indexOf('#');
  if (hash >= 0 && hash < q) return tail;
  const end = hash < 0 ? tail.length : hash;
  return tail.slice(0, q + 1) + maskQuery(tail.slice(q + 1, end)) + tail.slice(end);
}

function maskQuery(query: string): string {
  return query
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      if (eq < 0) return part;
      const value = part.slice(eq + 1);
      if (value === '' || isPlaceholder(value) || !SECRET_PARAM.test(decodeLoosely(part.slice(0, eq)))) return part;
      return part.slice(0, eq + 1) + SECRET_MASK;
    })
    .join('&');
}

function isPlaceholder(text: string): boolean {
  return text.startsWith('{') && text.endsWith('}') && TEMPLATE_KEY.test(text.slice(1, -1));
}

function decodeLoosely(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** Masks `user:secret@` shapes and `password=...` pairs in something that is not a `scheme://` URL. */
function maskLoosely(text: string): string {
  const credentials = scrubSecrets(text).replace(
    /(^|[\s(<'"=,;])([^\s:@/?#'"<>]*):([^\s'"<>]*)@/g,
    (whole, before: string, user: string, password: string) =>
      password === '' || isPlaceholder(password) || (password.startsWith('//') && URL_PREFIX.test(`${user}:${password}`))
        ? whole
        : `${before}${user}:${SECRET_MASK}@`,
  );
  return credentials.replace(
    /([?&;\s]|^)([A-Za-z0-9_.-]*)=([^&\s#;]*)/g,
    (whole, before: string, name: string, value: string) =>
      value === '' || isPlaceholder(value) || !SECRET_PARAM.test(name) ? whole : `${before}${name}=${SECRET_MASK}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Templates (nova/objects/cell_mapping.py, CellMapping._format_url)
// ---------------------------------------------------------------------------------------------

/** Returns true when `s` holds a `{name}` replacement field (escaped `{{name}}` does not count). */
export function isTemplateUrl(s: string): boolean {
  return /\{[A-Za-z_][A-Za-z0-9_]*\}/.test(s.replace(/\{\{|\}\}/g, ''));
}

type TemplateValue = string | number | null;

/**
 * Renders a cell-mapping URL template against the local URL exactly as Nova's
 * `CellMapping._format_url` does; returns `template` unchanged when `localUrl` is undefined or when
 * Nova's formatting would raise (unknown key, bad local port, ...). Throws nothing.
 */
export function renderTemplateUrl(template: string, localUrl: string | undefined): string {
  if (localUrl === undefined) return template;
  const substitutions = templateSubstitutions(localUrl);
  if (substitutions === undefined) return template;
  return formatLikePython(template, substitutions) ?? template;
}

const USES_PARAMS = new Set(['', 'ftp', 'hdl', 'prospero', 'http', 'imap', 'https', 'shttp', 'rtsp', 'rtspu', 'sip', 'sips', 'mms', 'sftp', 'tel']);

interface PythonUrlParts {
  scheme: string;
  netloc: string;
  path: string;
  query: string;
  fragment: string;
}

/** `urllib.parse.urlparse` (Python 3.11); undefined where Python raises ValueError. */
function pythonUrlParse(input: string): PythonUrlParts | undefined {
  let url = input.replace(/^[\x00-\x20]+/, '').replace(/[\t\r\n]/g, '');
  let scheme = '';
  let netloc = '';
  let query = '';
  let fragment = '';
  const colon = url.indexOf(':');
  if (colon > 0 && /^[A-Za-z][A-Za-z0-9+.-]*$/.test(url.slice(0, colon))) {
    scheme = url.slice(0, colon).toLowerCase();
    url = url.slice(colon + 1);
  }
  if (url.startsWith('//')) {
    const end = indexOfAny(url, '/?#', 2);
    netloc = url.slice(2, end);
    url = url.slice(end);
    if (netloc.includes('[') !== netloc.includes(']')) return undefined;
    if (netloc.includes('[')) {
      const bracketed = partition(partition(netloc, '[')[2], ']')[0];
      const valid = bracketed.startsWith('v') ? /^v[a-fA-F0-9]+\..+$/s.test(bracketed) : isIpv6Address(bracketed);
      if (!valid) return undefined;
    }
  }
  const hash = url.indexOf('#');
  if (hash >= 0) {
    fragment = url.slice(hash + 1);
    url = url.slice(0, hash);
  }
  const q = url.indexOf('?');
  if (q >= 0) {
    query = url.slice(q + 1);
    url = url.slice(0, q);
  }
  let path = url;
  if (USES_PARAMS.has(scheme) && path.includes(';')) {
    const lastSlash = path.lastIndexOf('/');
    const semi = lastSlash >= 0 ? path.indexOf(';', lastSlash) : path.indexOf(';');
    if (semi >= 0) path = path.slice(0, semi);
  }
  return { scheme, netloc, path, query, fragment };
}

/** Python's `ipaddress.IPv6Address` acceptance rules (scope id allowed, embedded IPv4 allowed). */
function isIpv6Address(text: string): boolean {
  const [address, hasScope, scope] = partition(text, '%');
  if (hasScope && (scope === '' || scope.includes('%'))) return false;
  const parts = address.split(':');
  if (parts.length < 3) return false;
  const last = parts[parts.length - 1] as string;
  if (last.includes('.')) {
    if (!isIpv4Address(last)) return false;
    parts.splice(parts.length - 1, 1, '0', '0');
  }
  if (parts.length > 9) return false;
  let skip = -1;
  for (let i = 1; i < parts.length - 1; i++) {
    if (parts[i] === '') {
      if (skip >= 0) return false;
      skip = i;
    }
  }
  if (skip >= 0) {
    let high = skip;
    let low = parts.length - skip - 1;
    if (parts[0] === '') high -= 1;
    if (high !== 0 && parts[0] === '') return false;
    if (parts[parts.length - 1] === '') low -= 1;
    if (low !== 0 && parts[parts.length - 1] === '') return false;
    if (8 - (high + low) < 1) return false;
  } else if (parts.length !== 8 || parts[0] === '' || parts[parts.length - 1] === '') {
    return false;
  }
  return parts.every((part, i) => (part === '' ? i === 0 || i === parts.length - 1 || i === skip : /^[0-9A-Fa-f]{1,4}$/.test(part)));
}

function isIpv4Address(text: string): boolean {
  const octets = text.split('.');
  return octets.length === 4 && octets.every((o) => /^(?:0|[1-9][0-9]{0,2})$/.test(o) && Number(o) <= 255);
}

function partition(text: string, sep: string): [string, boolean, string] {
  const i = text.indexOf(sep);
  return i < 0 ? [text, false, ''] : [text.slice(0, i), true, text.slice(i + sep.length)];
}

function rpartition(text: string, sep: string): [string, boolean, string] {
  const i = text.lastIndexOf(sep);
  return i < 0 ? ['', false, text] : [text.slice(0, i), true, text.slice(i + sep.length)];
}

/** The `subs` dict of `_format_url`, or undefined where building it raises in Python. */
function templateSubstitutions(localUrl: string): Map<string, TemplateValue> | undefined {
  const parts = pythonUrlParse(localUrl);
  if (parts === undefined) return undefined;
  const [userinfo, hasUserinfo, hostinfo] = rpartition(parts.netloc, '@');
  let username: string | null = null;
  let password: string | null = null;
  if (hasUserinfo) {
    const [user, hasPassword, pass] = partition(userinfo, ':');
    username = user;
    password = hasPassword ? pass : null;
  }
  let hostText: string;
  let portText: string;
  const [, hasBracket, bracketed] = partition(hostinfo, '[');
  if (hasBracket) {
    const [inside, , afterBracket] = partition(bracketed, ']');
    hostText = inside;
    portText = partition(afterBracket, ':')[2];
  } else {
    const [h, , p] = partition(hostinfo, ':');
    hostText = h;
    portText = p;
  }
  let hostname: string | null = null;
  if (hostText !== '') {
    const [address, hasZone, zone] = partition(hostText, '%');
    hostname = address.toLowerCase() + (hasZone ? '%' + zone : '');
  }
  let port: number | null = null;
  if (portText !== '') {
    if (!/^[0-9]+$/.test(portText)) return undefined;
    port = Number(portText);
    if (port > 65535) return undefined;
  }
  const subs = new Map<string, TemplateValue>([
    ['username', username],
    ['password', password],
    ['hostname', hostname],
    ['port', port],
    ['scheme', parts.scheme],
    ['query', parts.query],
    ['fragment', parts.fragment],
    ['path', parts.path.replace(/^\/+/, '')],
  ]);
  if (parts.netloc.includes(',')) {
    const netlocs = parts.netloc.split(',');
    for (let i = 0; i < netlocs.length; i++) {
      const these = parseNetlocLikeNova(netlocs[i] as string);
      if (these === undefined) return undefined;
      for (const [key, value] of Object.entries(these)) subs.set(`${key}${i + 1}`, value);
    }
  }
  return subs;
}

/** nova.objects.cell_mapping._parse_netloc: raw strings, no lower-casing, no decoding. */
function parseNetlocLikeNova(netloc: string): Record<'username' | 'password' | 'hostname' | 'port', string | null> | undefined {
  const these: Record<'username' | 'password' | 'hostname' | 'port', string | null> = {
    username: null,
    password: null,
    hostname: null,
    port: null,
  };
  const [first, hasAt, afterAt] = partition(netloc, '@');
  const userpass = hasAt ? first : '';
  const hostport = hasAt ? afterAt : netloc;
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end < 0) return undefined;
    these.hostname = hostport.slice(1, end);
    // NOTE: Nova keeps the ':' here ("[::1]:5672" gives port ":5672"); reproduced on purpose.
    these.port = hostport.slice(end + 1);
  } else if (hostport.includes(':')) {
    const [h, , p] = partition(hostport, ':');
    these.hostname = h;
    these.port = p;
  } else {
    these.hostname = hostport;
  }
  if (userpass.includes(':')) {
    const [u, , p] = partition(userpass, ':');
    these.username = u;
    these.password = p;
  } else {
    these.username = userpass;
  }
  return these;
}

/** `str.format(**subs)` for plain `{key}`, `{key!s|r|a}` and `{key:}` fields; undefined where Python raises or we do not follow. */
function formatLikePython(template: string, subs: Map<string, TemplateValue>): string | undefined {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const c = template.charAt(i);
    if (c === '{') {
      if (template.charAt(i + 1) === '{') {
        out += '{';
        i += 2;
        continue;
      }
      const close = template.indexOf('}', i + 1);
      if (close < 0) return undefined;
      const field = template.slice(i + 1, close);
      if (field.includes('{')) return undefined;
      const rendered = renderField(field, subs);
      if (rendered === undefined) return undefined;
      out += rendered;
      i = close + 1;
      continue;
    }
    if (c === '}') {
      if (template.charAt(i + 1) !== '}') return undefined;
      out += '}';
      i += 2;
      continue;
    }
    out += c;
    i += 1;
  }
  return out;
}

function renderField(field: string, subs: Map<string, TemplateValue>): string | undefined {
  const stop = indexOfAny(field, '!:', 0);
  const name = field.slice(0, stop);
  let conversion: string | undefined;
  let spec = '';
  if (field.charAt(stop) === '!') {
    conversion = field.charAt(stop + 1);
    const after = field.slice(stop + 2);
    if (conversion === '' || (after !== '' && !after.startsWith(':'))) return undefined;
    spec = after.slice(1);
  } else if (field.charAt(stop) === ':') {
    spec = field.slice(stop + 1);
  }
  // Attribute/index access, positional fields and non-empty format specs are not followed.
  if (name === '' || /^[0-9]/.test(name) || /[.[\]]/.test(name) || spec !== '') return undefined;
  if (!subs.has(name)) return undefined;
  const value = subs.get(name) as TemplateValue;
  switch (conversion) {
    case undefined:
    case 's':
      return value === null ? 'None' : String(value);
    case 'r':
      return value === null ? 'None' : typeof value === 'number' ? String(value) : pythonRepr(value, false);
    case 'a':
      return value === null ? 'None' : typeof value === 'number' ? String(value) : pythonRepr(value, true);
    default:
      return undefined;
  }
}

const NOT_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

/** Python's `repr()` (or `ascii()`) of a str. */
function pythonRepr(text: string, asciiOnly: boolean): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp < 0x7f) out += ch;
    else if (asciiOnly || NOT_PRINTABLE.test(ch)) {
      if (cp <= 0xff) out += '\\x' + cp.toString(16).padStart(2, '0');
      else if (cp <= 0xffff) out += '\\u' + cp.toString(16).padStart(4, '0');
      else out += '\\U' + cp.toString(16).padStart(8, '0');
    } else out += ch;
  }
  return out + quote;
}
