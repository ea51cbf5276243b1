/**
 * Hiding secrets in URLs and in free text (driver messages, stack traces) before they are shown:
 * passwords and password-like query values become `****`, every other character is kept.
 */
import { splitAuthority } from './url-authority';
import { isTemplatePlaceholder } from './url-template';

/** What replaces a password (or a password-like query value) in masked output. */
export const SECRET_MASK = '****';

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
  if (password === '' || isTemplatePlaceholder(password)) return entry;
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
      if (value === '' || isTemplatePlaceholder(value) || !SECRET_PARAM.test(decodeLoosely(part.slice(0, eq)))) return part;
      return part.slice(0, eq + 1) + SECRET_MASK;
    })
    .join('&');
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
      password === '' || isTemplatePlaceholder(password) || (password.startsWith('//') && URL_PREFIX.test(`${user}:${password}`))
        ? whole
        : `${before}${user}:${SECRET_MASK}@`,
  );
  return credentials.replace(
    /([?&;\s]|^)([A-Za-z0-9_.-]*)=([^&\s#;]*)/g,
    (whole, before: string, name: string, value: string) =>
      value === '' || isTemplatePlaceholder(value) || !SECRET_PARAM.test(name) ? whole : `${before}${name}=${SECRET_MASK}`,
  );
}
