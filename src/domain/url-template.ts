/**
 * Cell-mapping URL templates, rendered against the local URL the way Nova's
 * `CellMapping._format_url` (nova/objects/cell_mapping.py) does. Throws nothing.
 */
import { formatLikePython, parseUrlLikePython, partition, rpartition, type PythonFormatValue } from './python-compat';

/** The keys Nova's `CellMapping._format_url` fills; `{password}` and friends are not secrets. */
const TEMPLATE_KEY = /^(?:username|password|hostname|port|scheme|query|fragment|path)\d*$/;

/** Returns true when `s` holds a `{name}` replacement field (escaped `{{name}}` does not count). */
export function isTemplateUrl(s: string): boolean {
  return /\{[A-Za-z_][A-Za-z0-9_]*\}/.test(s.replace(/\{\{|\}\}/g, ''));
}

/** Returns true when `text` is exactly one `{key}` field Nova fills (`{password}`, `{hostname2}`, ...). */
export function isTemplatePlaceholder(text: string): boolean {
  return text.startsWith('{') && text.endsWith('}') && TEMPLATE_KEY.test(text.slice(1, -1));
}

/**
 * Renders a cell-mapping URL template against the local URL exactly as Nova's `CellMapping._format_url`
 * does; returns `template` unchanged when `localUrl` is undefined, when Nova's formatting would raise
 * (unknown key, bad local port, ...) or when a field is more than a plain `{key}`. Throws nothing.
 */
export function renderTemplateUrl(template: string, localUrl: string | undefined): string {
  if (localUrl === undefined) return template;
  const substitutions = templateSubstitutions(localUrl);
  if (substitutions === undefined) return template;
  return formatLikePython(template, substitutions) ?? template;
}

/** The `subs` dict of `_format_url`, or undefined where building it raises in Python. */
function templateSubstitutions(localUrl: string): Map<string, PythonFormatValue> | undefined {
  const parts = parseUrlLikePython(localUrl);
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
  const subs = new Map<string, PythonFormatValue>([
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
