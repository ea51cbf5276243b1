/**
 * Where the credentials and the host list sit in the text after `scheme://`, shared by database-URL
 * parsing and by masking so that both agree on which characters are a password. Throws nothing.
 */

/** Where `user:password@` and the host list sit in the text after `scheme://`. */
export interface AuthoritySplit {
  /** Everything before the '@' that ends the credentials; undefined when there is none. */
  userinfo?: string;
  /** Offset (in `rest`) where the host part starts. */
  hostStart: number;
  /** Offset (in `rest`) where the path, query or fragment starts. */
  tailStart: number;
}

/**
 * Locates credentials and host in `rest`, the text after `scheme://`; the authority normally ends at
 * the first of `delimiters` and the credentials at its last '@'. Throws nothing.
 */
export function splitAuthority(rest: string, delimiters: string): AuthoritySplit {
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
