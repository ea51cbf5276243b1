/**
 * Hiding secrets in URLs and in free text (driver messages, stack traces, logged SQL parameters)
 * before they are shown: passwords and password-like query values become `****`, every other
 * character is kept. Malformed URLs (a ':' missing after the scheme, a '/' too many) are masked
 * too, and a value that does not even read like a URL is never quoted (see quoteUrl).
 */
import { splitAuthority } from './url-authority';
import { isTemplatePlaceholder } from './url-template';

/** What replaces a password (or a password-like query value) in masked output. */
export const SECRET_MASK = '****';

/** What messages say instead of a value meant to be a URL that does not read like one. */
export const NOT_A_URL = '(not a URL; value not shown)';

const URL_PREFIX = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const SQLITE_PREFIX = /^sqlite(?:\+[^:]*)?:\/\//i;
/** A malformed URL: a scheme-like word, then `//` (the ':' missing), `:/`, or `:...@`. */
const LOOSE_URL = /^[A-Za-z][A-Za-z0-9+._-]*(?:\/\/|:\/|:[^@]*@)/;
/** Where a URL starts in free text: `scheme://`, or `scheme//` with its ':' missing. */
const URL_START = /[A-Za-z][A-Za-z0-9+.-]*:?\/\//;
const STRICT_URL_START = /[A-Za-z][A-Za-z0-9+.-]*:\/\//;
/** Characters that end a URL in free text (quotes around it, markup), unless credentials follow. */
const QUOTE_LIKE = /['"<>`]/;
const SECRET_PARAM = /^(?:password|passwd|pwd|secret|token)$|[_-](?:password|passwd|pwd|secret|token)$/i;

/** Given each password found (as written), returns what stands in its place. */
type SecretRewrite = (secret: string) => string;

/**
 * Returns `raw` with every password hidden as `****` (each `user:password@` of a multi-host URL and
 * password-like query values) and every other character kept; `{password}` placeholders stay.
 * Strings that are not `scheme://` URLs get a pattern-based fallback. Throws nothing.
 */
export function maskUrl(raw: string): string {
  return rewriteUrl(raw, () => SECRET_MASK);
}

/**
 * Returns every password `raw` holds (userinfo passwords, password-like query values), as written
 * and, where that differs, percent-decoded (the form a driver receives). Throws nothing.
 */
export function urlPasswords(raw: string): string[] {
  const found = new Set<string>();
  rewriteUrl(raw, (secret) => {
    found.add(secret);
    found.add(decodeLoosely(secret, false));
    return secret;
  });
  return [...found];
}

/**
 * True when `text` reads like a URL, even a malformed one: `scheme://...`, or without whitespace a
 * scheme-like word followed by `//`, `:/` or `:...@`. Throws nothing.
 */
export function isUrlShaped(text: string): boolean {
  const trimmed = text.trim();
  return URL_PREFIX.test(trimmed) || (!/\s/.test(trimmed) && LOOSE_URL.test(trimmed));
}

/**
 * How a message quotes a value meant to be a URL: masked when it reads like one, otherwise
 * NOT_A_URL, since any part of such a value could be a password. Throws nothing.
 */
export function quoteUrl(raw: string): string {
  return isUrlShaped(raw) ? maskUrl(raw) : NOT_A_URL;
}

/**
 * Returns SQL parameters fit for a log: strings that read like URLs masked, strings equal to a
 * known secret replaced by `****`, rows of parameters (nested arrays) likewise; the rest as is.
 */
export function maskParameters(values: readonly unknown[], knownSecrets: ReadonlySet<string>): unknown[] {
  return values.map((value) => {
    if (Array.isArray(value)) return maskParameters(value, knownSecrets);
    if (typeof value !== 'string') return value;
    if (knownSecrets.has(value)) return SECRET_MASK;
    return isUrlShaped(value) ? maskUrl(value) : value;
  });
}

/**
 * Returns `text` with every URL-like token (`scheme://...`, or `scheme//...`) passed through
 * maskUrl; text without URLs comes back unchanged. A URL ends at whitespace or at a quote, '<', '>'
 * or backtick, unless an '@' follows before the whitespace (the password holds that character).
 * Meant for driver messages, stack traces and log lines. Throws nothing.
 */
export function scrubSecrets(text: string): string {
  return rewriteUrlsIn(text, () => SECRET_MASK);
}

function rewriteUrlsIn(text: string, rewrite: SecretRewrite): string {
  const starts = new RegExp(URL_START.source, 'g');
  let out = '';
  let done = 0;
  for (let match = starts.exec(text); match; match = starts.exec(text)) {
    const end = urlTokenEnd(text, match.index + match[0].length);
    const token = text.slice(match.index, end);
    out += text.slice(done, match.index) + (URL_PREFIX.test(token) ? rewriteUrl(token, rewrite) : rewriteLooseCredentials(token, rewrite));
    done = end;
    starts.lastIndex = Math.max(end, match.index + 1);
  }
  return out + text.slice(done);
}

/** Where the URL whose text after `//` starts at `from` ends. */
function urlTokenEnd(text: string, from: number): number {
  const space = text.slice(from).search(/\s/);
  let runEnd = space < 0 ? text.length : from + space;
  const next = new RegExp(STRICT_URL_START.source, 'g');
  next.lastIndex = from;
  const following = next.exec(text);
  if (following && following.index < runEnd) runEnd = following.index;
  const run = text.slice(from, runEnd);
  const quote = run.search(QUOTE_LIKE);
  if (quote < 0) return runEnd;
  const at = run.lastIndexOf('@');
  if (at < quote) return from + quote;
  // NOTE: a quote-like character before the last '@' may belong to the password (a JSON-logged
  // parameter, an error message): the URL runs past that '@' to the next such character.
  const after = run.slice(at + 1).search(QUOTE_LIKE);
  return after < 0 ? runEnd : from + at + 1 + after;
}

function rewriteUrl(raw: string, rewrite: SecretRewrite): string {
  const prefix = URL_PREFIX.exec(raw);
  if (!prefix) return rewriteLoosely(raw, rewrite);
  const rest = raw.slice(prefix[0].length);
  const authority = splitAuthority(rest, '/?#');
  const netloc = rest.slice(0, authority.tailStart);
  const tail = rest.slice(authority.tailStart);
  if (netloc === '' && !SQLITE_PREFIX.test(raw)) {
    // NOTE: one '/' too many ("mysql:///user:pass@host/db") puts the credentials in the path; a
    // SQLite URL's path is a file name, never credentials.
    const slashes = /^\/+/.exec(tail)?.[0] ?? '';
    if (slashes) return prefix[0] + slashes + rewriteUrl(prefix[0] + tail.slice(slashes.length), rewrite).slice(prefix[0].length);
  }
  const unparsable = unparsableEntryColon(netloc);
  if (unparsable !== undefined) {
    // NOTE: an entry with "user:password" and no '@' (or a template rendered without one) does not
    // parse, and nothing tells where its password ends: nothing after that ':' is shown.
    const before = netloc.slice(0, unparsable.entryStart);
    const entry = netloc.slice(unparsable.entryStart);
    const shownBefore = before === '' ? '' : rewriteNetloc(before.slice(0, -1), rewrite) + ',';
    return prefix[0] + shownBefore + entry.slice(0, unparsable.colon + 1) + rewrite(rest.slice(authority.hostStart + unparsable.entryStart + unparsable.colon + 1));
  }
  return prefix[0] + rewriteNetloc(netloc, rewrite) + rewriteTail(tail, rewrite);
}

/** What may follow a host's ':' and be shown: digits, or template fields with digits and ':' (`{password}:5672`). */
const PLAUSIBLE_PORT = /^[0-9]*$|^(?=.*\{)(?:[0-9:]|\{[A-Za-z_][A-Za-z0-9_]*\})*$/;

/** What masking left (a message scanned again ends it with ':' before its reason). */
const ALREADY_MASKED = /^\*\*\*\*[:;,.)]?$/;

/**
 * In a host list, the first entry without '@' whose text after its ':' is no plausible port (so
 * likely "user:password" with the '@' missing): where the entry starts and its ':' (in the entry).
 */
function unparsableEntryColon(netloc: string): { entryStart: number; colon: number } | undefined {
  const entries = netloc.split(',');
  // Entries up to the last one with an '@' may be a password holding a ',' (rewriteNetloc rejoins them).
  let lastWithAt = -1;
  entries.forEach((entry, i) => {
    if (entry.includes('@')) lastWithAt = i;
  });
  let entryStart = 0;
  for (const [i, entry] of entries.entries()) {
    if (i > lastWithAt) {
      let colon: number;
      if (entry.startsWith('[')) {
        const close = entry.indexOf(']');
        colon = close < 0 ? -1 : entry.indexOf(':', close);
      } else {
        colon = entry.indexOf(':');
      }
      if (colon >= 0 && !PLAUSIBLE_PORT.test(entry.slice(colon + 1)) && !ALREADY_MASKED.test(entry.slice(colon + 1))) return { entryStart, colon };
    }
    entryStart += entry.length + 1;
  }
  return undefined;
}

function rewriteNetloc(netloc: string, rewrite: SecretRewrite): string {
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
  return entries.map((entry) => rewriteNetlocEntry(entry, rewrite)).join(',');
}

/** True when an entry without '@' reads like "user:pass" rather than "host:port". */
function looksLikeBrokenCredentials(entry: string): boolean {
  if (entry.startsWith('[')) return false;
  const colon = entry.indexOf(':');
  return colon >= 0 && !/^[0-9]*$/.test(entry.slice(colon + 1));
}

function rewriteNetlocEntry(entry: string, rewrite: SecretRewrite): string {
  const at = entry.lastIndexOf('@');
  if (at < 0) return entry;
  const userinfo = entry.slice(0, at);
  const colon = userinfo.indexOf(':');
  if (colon < 0) return entry;
  const password = userinfo.slice(colon + 1);
  if (password === '' || isTemplatePlaceholder(password)) return entry;
  return userinfo.slice(0, colon + 1) + rewrite(password) + entry.slice(at);
}

function rewriteTail(tail: string, rewrite: SecretRewrite): string {
  const q = tail.indexOf('?');
  if (q < 0) return tail;
  const hash = tail.indexOf('#');
  if (hash >= 0 && hash < q) return tail;
  const end = hash < 0 ? tail.length : hash;
  return tail.slice(0, q + 1) + rewriteQuery(tail.slice(q + 1, end), rewrite) + tail.slice(end);
}

function rewriteQuery(query: string, rewrite: SecretRewrite): string {
  return query
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      if (eq < 0) return part;
      const value = part.slice(eq + 1);
      if (value === '' || isTemplatePlaceholder(value) || !SECRET_PARAM.test(decodeLoosely(part.slice(0, eq), true))) return part;
      return part.slice(0, eq + 1) + rewrite(value);
    })
    .join('&');
}

function decodeLoosely(text: string, plusIsSpace: boolean): string {
  try {
    return decodeURIComponent(plusIsSpace ? text.replace(/\+/g, ' ') : text);
  } catch {
    return text;
  }
}

/** Rewrites `user:secret@` shapes and `password=...` pairs in something that is not a `scheme://` URL. */
function rewriteLoosely(text: string, rewrite: SecretRewrite): string {
  // NOTE: one malformed URL without '@' is masked whole: a quote in its password ends no URL here.
  if (!/\s/.test(text.trim()) && !text.includes('@')) {
    const whole = rewriteLooseWithoutAt(text.trim(), rewrite);
    if (whole !== text.trim()) return text.slice(0, text.length - text.trimStart().length) + whole;
  }
  const credentials = rewriteUrlsIn(text, rewrite).replace(/\S+/g, (token) => (token.includes('//') ? token : rewriteLooseCredentials(token, rewrite)));
  return credentials.replace(
    /([?&;\s]|^)([A-Za-z0-9_.-]*)=([^&\s#;]*)/g,
    (whole, before: string, name: string, value: string) =>
      value === '' || value === SECRET_MASK || isTemplatePlaceholder(value) || !SECRET_PARAM.test(name) ? whole : `${before}${name}=${rewrite(value)}`,
  );
}

/**
 * In one token of a malformed URL (no whitespace), everything from the first ':' to the last '@'
 * is taken for a password: over-masking a user name beats quoting a password.
 */
function rewriteLooseCredentials(token: string, rewrite: SecretRewrite): string {
  const at = token.lastIndexOf('@');
  if (at < 0) return rewriteLooseWithoutAt(token, rewrite);
  const colon = token.indexOf(':');
  if (at < 0 || colon < 0 || colon > at) return token;
  const password = token.slice(colon + 1, at);
  if (password === '' || password === SECRET_MASK || isTemplatePlaceholder(password)) return token;
  return token.slice(0, colon + 1) + rewrite(password) + token.slice(at);
}

/** A malformed URL's start: a scheme-like word, then `//` (the ':' missing) or `:/`. */
const LOOSE_START = /^[A-Za-z][A-Za-z0-9+._-]*(?::\/+|\/\/+)/;

/** In a malformed URL without '@', as in maskUrl: nothing after a ':' that no plausible port follows. */
function rewriteLooseWithoutAt(token: string, rewrite: SecretRewrite): string {
  const start = LOOSE_START.exec(token);
  if (!start) return token;
  const rest = token.slice(start[0].length);
  const authorityEnd = rest.search(/[/?#]/);
  const unparsable = unparsableEntryColon(authorityEnd < 0 ? rest : rest.slice(0, authorityEnd));
  if (unparsable === undefined) return token;
  const cut = start[0].length + unparsable.entryStart + unparsable.colon + 1;
  return token.slice(0, cut) + rewrite(token.slice(cut));
}
