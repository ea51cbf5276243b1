import { isTemplateUrl, renderTemplateUrl } from '../../src/domain/url-template';

describe('renderTemplateUrl', () => {
  const local = 'mysql+pymysql://nova:pw@db1:3306/nova?charset=utf8';

  // Expected values produced by Nova's CellMapping._format_url under CPython 3.11.
  it.each<[string, string | undefined, string]>([
    ['mysql+pymysql://{username}:{password}@{hostname}:{port}/nova_cell1?{query}', local, 'mysql+pymysql://nova:pw@db1:3306/nova_cell1?charset=utf8'],
    ['{scheme}://{username}:{password}@{hostname}:{port}/{path}#{fragment}', 'MySQL+PyMySQL://Nova:P%40ss@DB1.Example/nova#frag', 'mysql+pymysql://Nova:P%40ss@db1.example:None/nova#frag'],
    ['{template}', undefined, '{template}'],
    ['mysql://{username}@h/{path}', undefined, 'mysql://{username}@h/{path}'],
    ['{port}', 'mysql://u:p@h/db', 'None'],
    ['{port}', 'mysql://u:p@h:/db', 'None'],
    ['{port}', 'mysql://u:p@h:03306/db', '3306'],
    ['{port}', 'mysql://u:p@h:abc/db', '{port}'],
    ['x{hostname}', 'mysql://u:p@h:abc/db', 'x{hostname}'],
    ['{port}', 'mysql://u:p@h:99999/db', '{port}'],
    ['{hostname}|{port}', 'mysql://u:p@[FE80::1%Eth0]:3306/db', 'fe80::1%Eth0|3306'],
    ['{hostname}', 'mysql://u:p@[::1]/db', '::1'],
    ['{hostname}|{port}', 'mysql://u:p@[::1/db', '{hostname}|{port}'],
    ['{hostname}', 'mysql://u:p@[zzz]:3306/db', '{hostname}'],
    ['{hostname}', 'mysql://u:p@[127.0.0.1]:3306/db', '{hostname}'],
    ['{hostname}', 'mysql://u:p@[v1.x]:3306/db', 'v1.x'],
    ['{username}|{password}|{hostname}|{port}', 'rabbit://u1:p1@h1:5672,u2:p2@h2:5672/vh', 'u1|p1@h1:5672,u2:p2|h2|5672'],
    [
      '{username1}|{password1}|{hostname1}|{port1}|{username2}|{password2}|{hostname2}|{port2}|{path}',
      'rabbit://u1:p1@H1:5672,u2:p2@h2:5672/vh',
      'u1|p1|H1|5672|u2|p2|h2|5672|vh',
    ],
    [
      'rabbit://{username1}:{password1}@{hostname1}:{port1},{username2}:{password2}@{hostname2}:{port2}/cell1',
      'rabbit://a:x@r1:5672,b:y@r2:5673/',
      'rabbit://a:x@r1:5672,b:y@r2:5673/cell1',
    ],
    ['{hostname1}|{port1}|{username1}|{password1}|{hostname2}|{port2}', 'rabbit://h1,h2:/', 'h1|None||None|h2|'],
    ['{hostname1}|{port1}|{hostname2}|{port2}', 'rabbit://[::1]:5672,h2/', '{hostname1}|{port1}|{hostname2}|{port2}'],
    ['{username3}', 'rabbit://h1,h2/', '{username3}'],
    ['{username1}', 'rabbit://h1/', '{username1}'],
    ['{username}|{password}', 'rabbit://h1/', 'None|None'],
    ['{username}|{password}', 'rabbit://@h1/', '|None'],
    ['{username}|{password}', 'rabbit://u@h1/', 'u|None'],
    ['{username}|{password}', 'rabbit://u:@h1/', 'u|'],
    ['{password}', 'mysql://u:p@ss@h/db', 'p@ss'],
    ['{password}', 'mysql://u:p:w@h/db', 'p:w'],
    ['{password}', 'mysql://u:p%40w@h/db', 'p%40w'],
    ['{{literal}} {hostname} }}{{', 'mysql://u:p@h/db', '{literal} h }{'],
    ['no placeholders }}', 'mysql://u:p@h/db', 'no placeholders }'],
    ['{hostname} }', 'mysql://u:p@h/db', '{hostname} }'],
    ['{hostname} {', 'mysql://u:p@h/db', '{hostname} {'],
    ['{unknown}', 'mysql://u:p@h/db', '{unknown}'],
    ['{hostname}{unknown}', 'mysql://u:p@h/db', '{hostname}{unknown}'],
    ['{0}', 'mysql://u:p@h/db', '{0}'],
    ['{}', 'mysql://u:p@h/db', '{}'],
    ['{hostname!x}', 'mysql://u:p@h/db', '{hostname!x}'],
    ['{path}|{query}', 'http://h/a/b;params?q=1', 'a/b|q=1'],
    ['{path}|{query}', 'mysql://h/a/b;params?q=1', 'a/b;params|q=1'],
    ['{scheme}|{hostname}|{path}', '  sqlite:////var/lib/nova/nova.sqlite', 'sqlite|None|var/lib/nova/nova.sqlite'],
    ['{scheme}|{hostname}|{path}|{port}|{username}', '', '|None||None|None'],
    ['{path}', 'no-scheme-here', 'no-scheme-here'],
    ['{hostname}', 'mysql://u:p@h\t1/db', 'h1'],
    ['{query}', 'mysql://h/db?a=1#x?y', 'a=1'],
    ['{fragment}', 'mysql://h/db#frag', 'frag'],
    ['{path}', 'mysql://h//db', 'db'],
  ])('%j with local %j', (template, localUrl, expected) => {
    expect(renderTemplateUrl(template, localUrl)).toBe(expected);
  });

  it('returns the template unchanged for format features it does not follow', () => {
    // Python would format these; cellctl keeps the stored value rather than guess.
    expect(renderTemplateUrl('{hostname!s}', 'mysql://h/db')).toBe('{hostname!s}');
    expect(renderTemplateUrl('{hostname}|{password!r}', 'mysql://u:p@h/db')).toBe('{hostname}|{password!r}');
    expect(renderTemplateUrl('{username!a}', 'mysql://u:p@h/db')).toBe('{username!a}');
    expect(renderTemplateUrl('{hostname:}', 'mysql://h/db')).toBe('{hostname:}');
    expect(renderTemplateUrl('{hostname:>5}', 'mysql://h/db')).toBe('{hostname:>5}');
    expect(renderTemplateUrl('{hostname[0]}', 'mysql://h/db')).toBe('{hostname[0]}');
    expect(renderTemplateUrl('{hostname.upper}', 'mysql://h/db')).toBe('{hostname.upper}');
  });

  it.each<[string, boolean]>([
    ['mysql+pymysql://{username}:{password}@{hostname}/nova_cell1', true],
    ['rabbit://{username1}:{password1}@{hostname1}/', true],
    ['{path}', true],
    ['mysql://nova:pw@db/nova', false],
    ['{{literal}}', false],
    ['{{{password}}}', true],
    ['{}', false],
    ['{0}', false],
    ['{ password }', false],
  ])('isTemplateUrl(%j) = %s', (value, expected) => {
    expect(isTemplateUrl(value)).toBe(expected);
  });
});
