import { normalizeGroupName, normalizeOptionName, parseIni, type IniSections } from '../../src/config/ini-parser';
import { ConfigError } from '../../src/domain/errors';

const FILE = '/etc/nova/nova.conf';

function toObject(sections: IniSections): Record<string, Record<string, string>> {
  return Object.fromEntries([...sections].map(([name, values]) => [name, Object.fromEntries(values)]));
}

function parse(text: string): Record<string, Record<string, string>> {
  return toObject(parseIni(text, FILE));
}

describe('parseIni (oslo.config iniparser semantics)', () => {
  it('reads the three settings of a nova.conf', () => {
    const text = [
      '[DEFAULT]',
      'transport_url = rabbit://openstack:pw@rabbit1:5672/',
      '',
      '[api_database]',
      'connection = mysql+pymysql://nova:pw@db/nova_api?charset=utf8',
      '[database]',
      'connection=sqlite:////var/lib/nova/nova.sqlite',
    ].join('\n');
    expect(parse(text)).toEqual({
      DEFAULT: { transport_url: 'rabbit://openstack:pw@rabbit1:5672/' },
      api_database: { connection: 'mysql+pymysql://nova:pw@db/nova_api?charset=utf8' },
      database: { connection: 'sqlite:////var/lib/nova/nova.sqlite' },
    });
  });

  it.each<[string, string, string]>([
    ['key = value', 'key', 'value'],
    ['key=value', 'key', 'value'],
    ['key: value', 'key', 'value'],
    ['key :value', 'key', 'value'],
    ['url = mysql://u:p@h:3306/d', 'url', 'mysql://u:p@h:3306/d'],
    ['url: a=b', 'url', 'a=b'],
    ['key =   padded   ', 'key', 'padded'],
    ['key =', 'key', ''],
    ['key = "quoted value"', 'key', 'quoted value'],
    ["key = 'single'", 'key', 'single'],
    ['key = "a" b "c"', 'key', 'a" b "c'],
    ['key = "mismatched\'', 'key', '"mismatched\''],
    ['key = "', 'key', ''],
    ['key = ""', 'key', ''],
    ['key = value # not a comment', 'key', 'value # not a comment'],
    ['key = value ; nor this', 'key', 'value ; nor this'],
    ['key-with-dashes = v', 'key_with_dashes', 'v'],
    ['Key = v', 'Key', 'v'],
    ['key = v\t\r', 'key', 'v'],
  ])('%j', (line, key, value) => {
    expect(parse(`[s]\n${line}\n`)).toEqual({ s: { [key]: value } });
  });

  it('joins indented continuation lines with newlines; a blank line ends the value', () => {
    const text = '[DEFAULT]\nkey = first\n  second\n\tthird  \n\nother = x\n';
    expect(parse(text)).toEqual({ DEFAULT: { key: 'first\nsecond\nthird', other: 'x' } });
  });

  it('keeps an indented "#" line as part of the value, as oslo does', () => {
    expect(parse('[s]\nkey = a\n  # b\n')).toEqual({ s: { key: 'a\n# b' } });
  });

  it('reads an indented "key = value" line as a continuation, not as a key', () => {
    expect(parse('[s]\nkey = v\n other = w\n')).toEqual({ s: { key: 'v\nother = w' } });
  });

  it('does not strip quotes on continuation lines', () => {
    expect(parse('[s]\nkey =\n  "x"\n')).toEqual({ s: { key: '\n"x"' } });
  });

  it('skips comment lines starting with # or ;', () => {
    expect(parse('# top\n; also\n[s]\n#key = no\nkey = yes\n;x = y\n')).toEqual({ s: { key: 'yes' } });
  });

  it('keeps DEFAULT as is and lower-cases other section names; repeated sections merge, later keys win', () => {
    const text = '[DEFAULT]\na = 1\n[Database]\nconnection = x\n[DATABASE]\nconnection = y\nb = 2\n[default]\nc = 3\n[DEFAULT]\na = 4\n';
    expect(parse(text)).toEqual({ DEFAULT: { a: '4' }, database: { connection: 'y', b: '2' }, default: { c: '3' } });
  });

  it('accepts CRLF line ends and a byte-order mark', () => {
    expect(parse('\uFEFF[s]\r\nkey = v\r\n  w\r\n')).toEqual({ s: { key: 'v\nw' } });
  });

  it('returns nothing for an empty file', () => {
    expect(parse('')).toEqual({});
    expect(parse('\n\n# only comments\n')).toEqual({});
  });

  it.each<[string, number, string]>([
    ['[s]\nkey = v\n[broken\n', 3, 'invalid section (must end with ])'],
    ['[s]\n[]\n', 2, 'empty section name'],
    ['[s]\nno separator here\n', 2, "no ':' or '=' found in assignment"],
    ['[s]\n= value\n', 2, 'key cannot be empty'],
    ['[s]\n: value\n', 2, 'key cannot be empty'],
    ['  leading continuation\n', 1, 'unexpected continuation line'],
    ['[s]\nkey = v\n\n  after blank\n', 4, 'unexpected continuation line'],
    ['[s]\n  after section\n', 2, 'unexpected continuation line'],
    ['[s]\nkey = v\n# comment\n  after comment\n', 4, 'unexpected continuation line'],
    ['key = v\n[s]\n', 1, 'section must be started before assignment'],
    ['# c\n\nkey = v\n', 3, 'section must be started before assignment'],
  ])('reports %j at its line', (text, line, reason) => {
    let error: unknown;
    try {
      parseIni(text, FILE);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(`${FILE}:${line}: ${reason}`);
  });

  it('never quotes the offending line (it may hold a secret)', () => {
    expect(() => parseIni('[s]\nsecretpw\n', FILE)).toThrow(/^\/etc\/nova\/nova\.conf:2: no ':' or '='/);
    try {
      parseIni('[s]\nmysql secretpw\n', FILE);
    } catch (error) {
      expect((error as Error).message).not.toContain('secretpw');
    }
  });
});

describe('name normalisation', () => {
  it.each([
    ['DEFAULT', 'DEFAULT'],
    ['Default', 'default'],
    ['API_DATABASE', 'api_database'],
    ['database', 'database'],
  ])('group %s -> %s', (input, output) => {
    expect(normalizeGroupName(input)).toBe(output);
  });

  it('writes dashes in option names as underscores', () => {
    expect(normalizeOptionName('transport-url')).toBe('transport_url');
    expect(normalizeOptionName('connection')).toBe('connection');
  });
});
