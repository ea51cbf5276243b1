import { deriveCell0DatabaseUrl } from '../../src/domain/cell0-url';
import { transportUrlProblem } from '../../src/domain/transport-url';

describe("cell0's default database URL", () => {
  it.each([
    ['mysql+pymysql://nova:secret@db:3306/nova?charset=utf8', 'mysql+pymysql://nova:secret@db:3306/nova_cell0?charset=utf8'],
    ['mysql+pymysql://nova:p%40ss@db/nova', 'mysql+pymysql://nova:p%40ss@db/nova_cell0'],
    ['mysql://nova@[::1]:3306/nova_cell1', 'mysql://nova@[::1]:3306/nova_cell1_cell0'],
    ['sqlite:////var/lib/cellctl/nova.sqlite', 'sqlite:////var/lib/cellctl/nova_cell0.sqlite'],
    ['sqlite:///relative/nova.db', 'sqlite:///relative/nova_cell0.db'],
    ['sqlite:////var/lib/nova/nova', 'sqlite:////var/lib/nova/nova_cell0'],
  ])('%s -> %s', (from, to) => {
    expect(deriveCell0DatabaseUrl(from)).toBe(to);
  });

  it('refuses a [database] that already names a cell0 database', () => {
    expect(() => deriveCell0DatabaseUrl('mysql+pymysql://nova@db/nova_cell0')).toThrow(/would give nova_cell0_cell0/);
    expect(() => deriveCell0DatabaseUrl('sqlite:////x/nova_cell0.sqlite')).toThrow(/already names a cell0 database/);
  });

  it('refuses a URL without a database name', () => {
    expect(() => deriveCell0DatabaseUrl('mysql+pymysql://nova@db')).toThrow(/names no database/);
  });
});

describe('transport URL validation (oslo.messaging TransportURL.parse)', () => {
  it.each(['rabbit://guest:guest@mq:5672/', 'rabbit://', 'rabbit:///', 'none:///', 'none:/', 'fake://embedded/',
    'rabbit://u1:p1@h1:5672,u2:p2@h2:5672/vh', 'rabbit://u:p@[::1]:5672/', 'kafka://h:9092?x=1',
    // oslo.messaging reads this as the scheme "mq.example.org" (checked with the real library).
    'mq.example.org:5672'])('accepts %s', (url) => {
    expect(transportUrlProblem(url)).toBeUndefined();
  });

  it.each([
    ['mq.example.org', 'No scheme specified'],
    ['//mq:5672/', 'No scheme specified'],
    ['', 'No scheme specified'],
    ['rabbit://u:p@[::1:5672/', 'Invalid IPv6 URL'],
    ['rabbit://u:p@mq:amqp/', "invalid literal for int() with base 10: 'amqp'"],
  ])('refuses %s: %s', (url, reason) => {
    expect(transportUrlProblem(url)).toBe(reason);
  });

  it.each(['rabbit://nova:se/cretpw@mq:5672/', 'rabbit://nova:se#cretpw@mq:5672/', 'rabbit://nova:se?cretpw@mq:5672/', 'rabbit://h1,nova:se/cretpw@mq:5672/'])(
    'refuses %s without quoting the start of its password as the port',
    (url) => {
      expect(transportUrlProblem(url)).toBe("invalid literal for int() with base 10: '****' (a '/', '?' or '#' in a password must be percent-encoded)");
    },
  );

  it.each(['rabbit://nova:RABBITPW:controller:5672/', 'rabbit://nova:RABBITPW:5672/', 'rabbit://u:RABBITPW.controller/', 'rabbit://u:RABBITPW', 'rabbit://u:P1@h1,u:RABBITPW:h2/'])(
    'refuses %s (user:password without an @) without quoting what follows the ":"',
    (url) => {
      const problem = transportUrlProblem(url);
      expect(problem).toMatch(/^invalid literal for int\(\) with base 10: '\*\*\*\*'/);
      expect(problem).not.toContain('RABBITPW');
    },
  );
});
