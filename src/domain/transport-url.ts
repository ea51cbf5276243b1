import { SECRET_MASK } from './url-masking';

/**
 * Checks a message-queue transport URL the way oslo.messaging's TransportURL.parse does when Nova
 * validates `--transport-url`: a scheme is required, each comma-separated host may carry
 * `user:pass@`, a bracketed IPv6 address must be closed, a port must be a number. Returns the
 * reason it is invalid (Nova prints it after "Invalid transport URL: "), or undefined when valid.
 */
export function transportUrlProblem(raw: string): string | undefined {
  const scheme = raw.match(/^([A-Za-z][A-Za-z0-9+.-]*):/);
  if (!scheme) return 'No scheme specified';
  const rest = raw.slice(scheme[0].length);
  if (!rest.startsWith('//')) return undefined;
  const netloc = rest.slice(2).split(/[/?#]/, 1)[0];
  for (const entry of netloc.split(',')) {
    if (!entry) continue;
    const hostport = entry.includes('@') ? entry.slice(entry.lastIndexOf('@') + 1) : entry;
    let port: string | undefined;
    if (hostport.startsWith('[')) {
      const end = hostport.indexOf(']');
      if (end < 0) return 'Invalid IPv6 URL';
      const after = hostport.slice(end + 1);
      port = after.includes(':') ? after.slice(after.indexOf(':') + 1) : undefined;
    } else if (hostport.includes(':')) {
      port = hostport.slice(hostport.indexOf(':') + 1);
    }
    if (port !== undefined && port !== '' && !/^\s*[+-]?\d+\s*$/.test(port)) {
      // NOTE: a raw '/', '?' or '#' in a password ends the host list early ("u:pa" of "u:pa/ss@h"):
      // that "port" is the start of the password when an '@' follows the host list. Nova quotes it.
      if (!entry.includes('@') && rest.slice(2 + netloc.length).includes('@')) {
        return `invalid literal for int() with base 10: '${SECRET_MASK}' (a '/', '?' or '#' in a password must be percent-encoded)`;
      }
      // NOTE: without an '@' the "port" may be a password ("u:pw" with the '@' forgotten): not quoted.
      if (!entry.includes('@')) return `invalid literal for int() with base 10: '${SECRET_MASK}' (the text after ':' is not a port; credentials need user:password@host)`;
      return `invalid literal for int() with base 10: '${port}'`;
    }
  }
  return undefined;
}
