import {
  databaseNameOf,
  databaseUrlKey,
  parseDatabaseUrl,
  replaceDatabaseName,
  type DatabaseUrl,
} from '../../src/domain/database-url';
import { InvalidUrlError, UnsupportedSchemeError } from '../../src/domain/errors';
import { catchError } from '../support/errors';

const CWD = '/srv/work';

describe('parseDatabaseUrl: MySQL/MariaDB', () => {
  it.each<[string, Partial<DatabaseUrl>]>([
    [
      'mysql+pymysql://nova:secret@10.0.0.5/nova?charset=utf8',
      { dialect: 'mysql', user: 'nova', password: 'secret', host: '10.0.0.5', port: 3306, database: 'nova', charset: 'utf8', ignoredParams: [] },
    ],
    ['mysql://nova:pw@db1:3307/nova_api', { user: 'nova', password: 'pw', host: 'db1', port: 3307, database: 'nova_api' }],
    ['mysql+mysqldb://root@localhost/nova', { user: 'root', host: 'localhost', database: 'nova' }],
    ['mysql+mysqlconnector://u:p@h/d', { user: 'u', password: 'p', host: 'h', database: 'd' }],
    ['mariadb://u:p@h:3309/d', { port: 3309, database: 'd' }],
    ['mariadb+pymysql://u:p@h/d', { host: 'h' }],
    ['MYSQL+PyMySQL://u:p@h/d', { dialect: 'mysql', host: 'h' }],
    ['mysql+pymysql://nova:p%40ss@db/nova', { user: 'nova', password: 'p@ss', host: 'db' }],
    ['mysql+pymysql://n%3Aova:p%3A%2F%3Fss@db/nova', { user: 'n:ova', password: 'p:/?ss' }],
    ['mysql+pymysql://nova:p@ss@db/nova', { password: 'p@ss', host: 'db', database: 'nova' }],
    ['mysql+pymysql://nova:p:ss@db/nova', { user: 'nova', password: 'p:ss' }],
    ['mysql+pymysql://nova:pa/ss@db/nova', { password: 'pa/ss', host: 'db', database: 'nova' }],
    ['mysql+pymysql://nova:pa?ss@db/nova?charset=utf8', { password: 'pa?ss', host: 'db', charset: 'utf8' }],
    ['mysql+pymysql://nova:pa#ss@db/nova', { password: 'pa#ss', host: 'db' }],
    ['mysql+pymysql://nova:@db/nova', { user: 'nova', password: undefined }],
    ['mysql+pymysql://nova:pw@[::1]:3306/nova', { host: '::1', port: 3306 }],
    ['mysql+pymysql://nova:pw@[2001:db8::5]/nova', { host: '2001:db8::5', port: 3306 }],
    ['mysql+pymysql://nova:pw@db:/nova', { host: 'db', port: 3306 }],
    ['mysql+pymysql://nova:pw@db', { host: 'db', database: undefined }],
    ['mysql+pymysql://nova:pw@db/', { host: 'db', database: undefined }],
    ['mysql+pymysql://nova:pw@db?charset=utf8', { host: 'db', database: undefined, charset: 'utf8' }],
    ['mysql+pymysql://', { host: undefined, user: undefined, database: undefined, port: 3306 }],
    [
      'mysql+pymysql://nova:pw@/nova?unix_socket=/var/run/mysqld/mysqld.sock',
      { host: undefined, socketPath: '/var/run/mysqld/mysqld.sock', database: 'nova' },
    ],
    [
      'mysql+pymysql://nova:pw@db/nova?ssl_ca=/etc/ssl/ca.pem&ssl_cert=/c.pem&ssl_key=/k.pem&ssl_verify_cert=false',
      { ssl: { ca: '/etc/ssl/ca.pem', cert: '/c.pem', key: '/k.pem', verifyCert: false }, ignoredParams: [] },
    ],
    ['mysql://h/d?ssl_verify_cert=1', { ssl: { verifyCert: true } }],
    ['mysql://h/d?ssl_verify_cert=YES', { ssl: { verifyCert: true } }],
    ['mysql://h/d?ssl_verify_cert=no', { ssl: { verifyCert: false } }],
    ['mysql://h/d?ssl_verify_cert=0', { ssl: { verifyCert: false } }],
    ['mysql://h:3306/nova?ssl_ca=/etc/a@b.pem', { host: 'h', user: undefined, ssl: { ca: '/etc/a@b.pem' } }],
    ['mysql://h/d?ssl_ca=/my%20dir/ca.pem', { ssl: { ca: '/my dir/ca.pem' } }],
    ['mysql://h/d?ssl_ca=/my+dir/ca.pem', { ssl: { ca: '/my dir/ca.pem' } }],
    [
      'mysql://h/d?charset=utf8&plugin=x&ssl_check_hostname=false&read_timeout=5&plugin=y',
      { charset: 'utf8', ignoredParams: ['plugin', 'ssl_check_hostname', 'read_timeout'] },
    ],
    ['mysql://h/d?', { ignoredParams: [] }],
    ['mysql://h/d?charset=utf8#frag', { charset: 'utf8#frag' }],
  ])('%s', (raw, expected) => {
    const url = parseDatabaseUrl(raw, CWD);
    const present = Object.fromEntries(Object.entries(expected).filter(([, value]) => value !== undefined));
    expect(url).toMatchObject({ ...present, raw });
    for (const [key, value] of Object.entries(expected)) {
      if (value === undefined) expect(url).not.toHaveProperty(key);
    }
  });

  it('keeps the raw URL byte for byte, surrounding blanks included', () => {
    expect(parseDatabaseUrl('  mysql://h/d ', CWD)).toMatchObject({ host: 'h', database: 'd', raw: '  mysql://h/d ' });
  });

  it('leaves ssl undefined without ssl parameters', () => {
    expect(parseDatabaseUrl('mysql://h/d?charset=utf8', CWD)).not.toHaveProperty('ssl');
  });
});

describe('parseDatabaseUrl: SQLite', () => {
  it.each<[string, string, string[]]>([
    ['sqlite:///relative.db', '/srv/work/relative.db', []],
    ['sqlite:///sub/dir/../x.db', '/srv/work/sub/x.db', []],
    ['sqlite:////abs/path.db', '/abs/path.db', []],
    ['sqlite:////var/lib/nova/nova.sqlite', '/var/lib/nova/nova.sqlite', []],
    ['sqlite+pysqlite:////abs/x.db', '/abs/x.db', []],
    ['SQLite:////abs/x.db', '/abs/x.db', []],
    ['sqlite:////abs/a@b:c.db', '/abs/a@b:c.db', []],
    ['sqlite:////abs/a%20b.db', '/abs/a%20b.db', []],
    ['sqlite:////abs/x.db?timeout=30&check_same_thread=false', '/abs/x.db', ['timeout', 'check_same_thread']],
  ])('%s', (raw, path, ignoredParams) => {
    expect(parseDatabaseUrl(raw, CWD)).toEqual({ dialect: 'sqlite', path, ignoredParams, raw });
  });
});

describe('parseDatabaseUrl: errors', () => {
  it.each<[string, RegExp]>([
    ['', /empty database URL/],
    ['   ', /empty database URL/],
    ['nova:secretpw@db/nova', /expected dialect\+driver:\/\//],
    ['mysql:/nova:secretpw@db/nova', /expected dialect\+driver:\/\//],
    ['://nova:secretpw@db/nova', /malformed scheme/],
    ['my sql://nova:secretpw@db/nova', /malformed scheme/],
    ['mysql://nova:secretpw@db:abc/nova', /port/],
    ['mysql://nova:secretpw@db:0/nova', /port/],
    ['mysql://nova:secretpw@db:65536/nova', /port/],
    ['mysql://nova:secretpw@db:-1/nova', /port/],
    ['mysql://nova:secretpw@[::1/nova', /unterminated "\["/],
    ['mysql://nova:secretpw@[::1]x/nova', /after the bracketed IPv6 host/],
    ['mysql://nova:secretpw@[zzz]/nova', /not an IPv6 address/],
    ['mysql://nova:secretpw@db]/nova', /stray bracket/],
    ['mysql://nova:secretpw%zz@db/nova', /bad percent-encoding in the password/],
    ['mysql://nova:secretpw%C3@db/nova', /bad percent-encoding in the password/],
    ['mysql://no%zzva:secretpw@db/nova', /bad percent-encoding in the user name/],
    ['mysql://nova:secretpw@db/nova?ssl_ca=%zz', /bad percent-encoding in the value of query parameter ssl_ca/],
    ['mysql://nova:secretpw@db/nova?ssl_verify_cert=maybe', /ssl_verify_cert takes/],
    ['mysql://nova:secretpw@db1,db2/nova', /single host/],
    ['mysql://nova:secretpw@db/nova/extra', /contains "\/"/],
    ['sqlite://', /in-memory SQLite keeps nothing between runs/],
    ['sqlite:///', /in-memory SQLite keeps nothing between runs/],
    ['sqlite:///:memory:', /in-memory SQLite keeps nothing between runs/],
    ['sqlite:///?mode=memory', /in-memory SQLite/],
    ['sqlite://nova:secretpw@host/x.db', /takes no host or credentials/],
  ])('%j is an InvalidUrlError', (raw, reason) => {
    const error = catchError(() => parseDatabaseUrl(raw, CWD));
    expect(error).toBeInstanceOf(InvalidUrlError);
    expect(error.message).toMatch(reason);
    expect(error.message).not.toContain('secretpw');
  });

  it.each([
    ['postgresql://nova:secretpw@pg/nova', 'postgresql'],
    ['postgresql+psycopg2://nova:secretpw@pg/nova', 'postgresql+psycopg2'],
    ['oracle://nova:secretpw@ora/nova', 'oracle'],
    ['mysql+aiomysql://nova:secretpw@db/nova', 'mysql+aiomysql'],
    ['mssql+pyodbc://nova:secretpw@dsn', 'mssql+pyodbc'],
  ])('%s is an UnsupportedSchemeError naming the scheme', (raw, scheme) => {
    const error = catchError(() => parseDatabaseUrl(raw, CWD));
    expect(error).toBeInstanceOf(UnsupportedSchemeError);
    expect(error.message).toContain(`unsupported database URL scheme "${scheme}"`);
    expect(error.message).toContain('cellctl speaks MySQL/MariaDB (mysql+pymysql://) and SQLite (sqlite:///)');
    expect(error.message).not.toContain('secretpw');
  });

  it('quotes the masked URL in the message', () => {
    expect(catchError(() => parseDatabaseUrl('postgresql://nova:secretpw@pg/nova', CWD)).message).toBe(
      'unsupported database URL scheme "postgresql" in postgresql://nova:****@pg/nova: ' +
        'cellctl speaks MySQL/MariaDB (mysql+pymysql://) and SQLite (sqlite:///)',
    );
    expect(catchError(() => parseDatabaseUrl('mysql://nova:secretpw@db:x/nova', CWD)).message).toBe(
      'invalid database URL mysql://nova:****@db:x/nova: the port is not a number between 1 and 65535',
    );
  });

  it('masks malformed URLs (issue 10), and names where the URL came from when told', () => {
    expect(catchError(() => parseDatabaseUrl('mysql+pymysql//nova:secretpw@127.0.0.1/nova_api', CWD, '--api-db')).message).toBe(
      'invalid database URL mysql+pymysql//nova:****@127.0.0.1/nova_api from --api-db: ' +
        'expected dialect+driver://user:password@host:port/database or sqlite:///path',
    );
    expect(catchError(() => parseDatabaseUrl('mysql+pymysql:///nova:secretpw@127.0.0.1/nova', CWD)).message).toBe(
      'invalid database URL mysql+pymysql:///nova:****@127.0.0.1/nova: the database name contains "/"',
    );
    expect(catchError(() => parseDatabaseUrl('postgresql://nova:secretpw@pg/nova', CWD, '/etc/nova/nova.conf [database] connection')).message).toContain(
      'in postgresql://nova:****@pg/nova from /etc/nova/nova.conf [database] connection:',
    );
  });

  it.each(['not a url secretpw', 'secretpw', 'pass:secretpw', 'mysql+pymysql nova:se cretpw@db/nova'])(
    'never quotes %j, which is not URL-shaped',
    (raw) => {
      const error = catchError(() => parseDatabaseUrl(raw, CWD, 'OS_API_DATABASE__CONNECTION'));
      expect(error).toBeInstanceOf(InvalidUrlError);
      expect(error.message).toBe(
        'invalid database URL (not a URL; value not shown) from OS_API_DATABASE__CONNECTION: ' +
          'expected dialect+driver://user:password@host:port/database or sqlite:///path',
      );
    },
  );
});

describe('databaseUrlKey', () => {
  const key = (raw: string, cwd = CWD): string => databaseUrlKey(parseDatabaseUrl(raw, cwd));

  it('is equal for URLs reaching the same database as the same account', () => {
    expect(key('mysql+pymysql://nova:pw@db:3306/nova?charset=utf8')).toBe(key('mysql://nova:pw@DB/nova?charset=utf8&foo=1'));
    expect(key('mysql://nova:p%40ss@db/nova')).toBe(key('mysql://nova:p@ss@db/nova'));
    expect(key('sqlite:///x.db', '/a')).toBe(key('sqlite:////a/x.db'));
    expect(key('sqlite:///./b/../x.db', '/a')).toBe(key('sqlite:////a/x.db'));
  });

  it('differs for another database, server, port or account', () => {
    const base = key('mysql://nova:pw@db/nova');
    expect(key('mysql://nova:pw@db/nova_cell0')).not.toBe(base);
    expect(key('mysql://nova:pw@db2/nova')).not.toBe(base);
    expect(key('mysql://nova:pw@db:3307/nova')).not.toBe(base);
    expect(key('mysql://other:pw@db/nova')).not.toBe(base);
    expect(key('mysql://nova:pw@db/nova?unix_socket=/s')).not.toBe(base);
    expect(key('sqlite:////a/x.db')).not.toBe(key('sqlite:////a/y.db'));
  });
});

describe('databaseNameOf / replaceDatabaseName', () => {
  it.each<[string, string | undefined]>([
    ['mysql+pymysql://nova:secret@db:3306/nova?charset=utf8', 'nova'],
    ['mysql+pymysql://nova:secret@db:3306/', undefined],
    ['mysql+pymysql://nova:secret@db:3306', undefined],
    ['mysql://nova:p@ss@db/nova_api', 'nova_api'],
    ['sqlite:////var/lib/nova/nova.sqlite', '/var/lib/nova/nova.sqlite'],
    ['sqlite:///nova.sqlite?timeout=1', 'nova.sqlite'],
  ])('databaseNameOf(%s) = %j', (raw, name) => {
    expect(databaseNameOf(raw)).toBe(name);
  });

  it.each<[string, string, string]>([
    ['mysql+pymysql://nova:secret@db:3306/nova?charset=utf8', 'nova_cell0', 'mysql+pymysql://nova:secret@db:3306/nova_cell0?charset=utf8'],
    ['mysql+pymysql://nova:p%40ss@db/nova', 'nova_cell0', 'mysql+pymysql://nova:p%40ss@db/nova_cell0'],
    ['mysql+pymysql://nova:p@ss@db/nova', 'test_1', 'mysql+pymysql://nova:p@ss@db/test_1'],
    ['mysql+pymysql://nova:pa/ss@db/nova', 'x', 'mysql+pymysql://nova:pa/ss@db/x'],
    ['mysql://nova:pw@[::1]:3306/nova?ssl_ca=/a/b.pem', 'x', 'mysql://nova:pw@[::1]:3306/x?ssl_ca=/a/b.pem'],
    ['mysql://nova:pw@db', 'x', 'mysql://nova:pw@db/x'],
    ['mysql://nova:pw@db/', 'x', 'mysql://nova:pw@db/x'],
    ['mysql://nova:pw@db?charset=utf8', 'x', 'mysql://nova:pw@db/x?charset=utf8'],
    ['sqlite:////var/lib/nova/nova.sqlite', '/var/lib/nova/nova_cell0.sqlite', 'sqlite:////var/lib/nova/nova_cell0.sqlite'],
    ['sqlite:///nova.sqlite?timeout=1', 'other.sqlite', 'sqlite:///other.sqlite?timeout=1'],
    [' sqlite:///a.db ', 'b.db', ' sqlite:///b.db '],
  ])('replaceDatabaseName(%s, %s)', (raw, name, expected) => {
    expect(replaceDatabaseName(raw, name)).toBe(expected);
  });

  it('refuses names that cannot stand in the URL, and bad URLs', () => {
    expect(() => replaceDatabaseName('mysql://h/d', 'a/b')).toThrow(InvalidUrlError);
    expect(() => replaceDatabaseName('mysql://h/d', 'a?b')).toThrow(InvalidUrlError);
    expect(() => replaceDatabaseName('mysql://h/d', '')).toThrow(InvalidUrlError);
    expect(() => replaceDatabaseName('postgresql://h/d', 'x')).toThrow(UnsupportedSchemeError);
    expect(() => replaceDatabaseName('sqlite://', 'x')).toThrow(InvalidUrlError);
    const error = catchError(() => replaceDatabaseName('mysql://nova:secretpw@h/d', 'a/b'));
    expect(error.message).not.toContain('secretpw');
  });
});
