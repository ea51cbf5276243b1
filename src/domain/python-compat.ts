/**
 * The few Python standard-library behaviours Nova's URL handling relies on, reproduced exactly
 * (CPython 3.11): `urllib.parse.urlparse`, `ipaddress.IPv6Address` acceptance, `str.partition`
 * and `str.rpartition`, and `str.format` for plain `{key}` fields. Throws nothing.
 */

const USES_PARAMS = new Set(['', 'ftp', 'hdl', 'prospero', 'http', 'imap', 'https', 'shttp', 'rtsp', 'rtspu', 'sip', 'sips', 'mms', 'sftp', 'tel']);

/** The five parts `urllib.parse.urlparse` returns that Nova reads (`params` stays out of `path`). */
export interface PythonUrlParts {
  scheme: string;
  netloc: string;
  path: string;
  query: string;
  fragment: string;
}

/** Returns what `urllib.parse.urlparse` (Python 3.11) returns, or undefined where it raises ValueError. */
export function parseUrlLikePython(input: string): PythonUrlParts | undefined {
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
    const delimiter = url.slice(2).search(/[/?#]/);
    const end = delimiter < 0 ? url.length : delimiter + 2;
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

/** Returns true when `ipaddress.IPv6Address` accepts `text` (scope id allowed, embedded IPv4 allowed). */
export function isIpv6Address(text: string): boolean {
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

/** `str.partition`: [before, whether `sep` was found, after]; without `sep`, [text, false, '']. */
export function partition(text: string, sep: string): [string, boolean, string] {
  const i = text.indexOf(sep);
  return i < 0 ? [text, false, ''] : [text.slice(0, i), true, text.slice(i + sep.length)];
}

/** `str.rpartition`: split at the last `sep`; without `sep`, ['', false, text]. */
export function rpartition(text: string, sep: string): [string, boolean, string] {
  const i = text.lastIndexOf(sep);
  return i < 0 ? ['', false, text] : [text.slice(0, i), true, text.slice(i + sep.length)];
}

/** A value `str.format` renders: a str, an int, or None (rendered `None`). */
export type PythonFormatValue = string | number | null;

/**
 * `str.format(**subs)` for plain `{key}` fields and `{{`/`}}` escapes; returns undefined where Python
 * raises (unknown key, unbalanced braces) and for any other field syntax. Throws nothing.
 */
export function formatLikePython(template: string, subs: ReadonlyMap<string, PythonFormatValue>): string | undefined {
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
      // NOTE: conversions (`!r`), format specs (`:>5`), attribute/index access and positional fields
      // are not followed: a field renders only when it is exactly a key of `subs`.
      if (!subs.has(field)) return undefined;
      const value = subs.get(field) as PythonFormatValue;
      out += value === null ? 'None' : String(value);
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
