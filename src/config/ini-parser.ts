/**
 * nova.conf-style INI, read with the rules of oslo.config's `iniparser` (what Nova itself uses), so a
 * file means the same thing to cellctl and to nova-manage.
 */
import { ConfigError } from '../domain/errors';

/** Parsed values: normalised group name -> (normalised option name -> value). */
export type IniSections = Map<string, Map<string, string>>;

/** Returns the group name as oslo.config matches it: `DEFAULT` as is, any other name lower-cased. */
export function normalizeGroupName(name: string): string {
  return name === 'DEFAULT' ? name : name.toLowerCase();
}

/** Returns the option name with `-` written as `_` (the option's `dest`). */
export function normalizeOptionName(name: string): string {
  return name.replace(/-/g, '_');
}

/**
 * Parses INI text with oslo.config semantics (comments on their own lines only, indented
 * continuation lines, later duplicates win). Throws ConfigError `file:line: reason`; the message
 * never quotes the offending line, which may hold a secret.
 */
export function parseIni(text: string, fileName: string): IniSections {
  const sections: IniSections = new Map();
  let section: Map<string, string> | undefined;
  let key: string | undefined;
  let keyLine = 0;
  let value: string[] = [];

  const fail = (line: number, reason: string): never => {
    throw new ConfigError(`${fileName}:${line}: ${reason}`);
  };
  const flush = (): void => {
    if (key === undefined) return;
    if (section === undefined) fail(keyLine, 'section must be started before assignment');
    (section as Map<string, string>).set(normalizeOptionName(key), value.join('\n'));
    key = undefined;
    value = [];
  };

  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines = body.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((rawLine, index) => {
    const lineNumber = index + 1;
    const line = rawLine.trimEnd();
    if (line === '') {
      // A blank line ends a multi-line value.
      flush();
      return;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (key === undefined) fail(lineNumber, 'unexpected continuation line');
      value.push(line.trimStart());
      return;
    }
    flush();
    if (line.startsWith('[')) {
      if (!line.endsWith(']')) fail(lineNumber, 'invalid section (must end with ])');
      if (line.length <= 2) fail(lineNumber, 'empty section name');
      const name = normalizeGroupName(line.slice(1, -1));
      section = sections.get(name);
      if (section === undefined) {
        section = new Map();
        sections.set(name, section);
      }
      return;
    }
    if (line.startsWith('#') || line.startsWith(';')) return;
    const colon = line.indexOf(':');
    const equal = line.indexOf('=');
    if (colon < 0 && equal < 0) fail(lineNumber, "no ':' or '=' found in assignment");
    const split = colon < 0 || (equal >= 0 && equal < colon) ? equal : colon;
    const name = line.slice(0, split).trim();
    if (name === '') fail(lineNumber, 'key cannot be empty');
    key = name;
    keyLine = lineNumber;
    value = [unquote(line.slice(split + 1).trim())];
  });
  flush();
  return sections;
}

/** Drops one pair of matching surrounding quotes, as oslo does (a lone quote becomes empty). */
function unquote(value: string): string {
  if (value !== '' && (value.startsWith('"') || value.startsWith("'")) && value.charAt(0) === value.charAt(value.length - 1)) {
    return value.slice(1, -1);
  }
  return value;
}
