/**
 * The man page cellctl(1) is built with the package (npm run build writes dist/man/cellctl.1 from
 * the program, like docs/commands.md) and installed with it (package.json "man"). It renders
 * without warnings (groff, else man -l; skipped with one visible line when neither is installed)
 * and holds every command, the global options and the exit codes. `npm pack` ships it with
 * bin/cellctl and the compiled program.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CliContext } from '../../src/cli/cli-context';
import { exitCodesOf } from '../../src/cli/command-kit';
import { COMMON_EXIT_CODES, PROGRAM_EXIT_CODES } from '../../src/cli/exit-codes';
import { renderManPage } from '../../src/cli/man-page';
import { buildProgram } from '../../src/cli/program';
import { installed } from '../support/installed-tools';

const ROOT = join(__dirname, '..', '..');
const BUILT = join(ROOT, 'dist', 'man', 'cellctl.1');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; man: string[] };

function program(): Command {
  return buildProgram(new CliContext({ stdout: process.stdout, stderr: process.stderr, env: {}, cwd: '/', homeDir: '/' }));
}

function leaves(command: Command, path: string[] = []): Array<{ path: string; command: Command }> {
  return command.commands.flatMap((sub) => {
    if (sub.name() === 'help' && path.length > 0) return [];
    const here = [...path, sub.name()];
    return sub.commands.length ? leaves(sub, here) : [{ path: here.join(' '), command: sub }];
  });
}

/** The page as a reader sees it: one long line per paragraph (no hyphenation, no wrapping), plain text. */
function renderPage(file: string): { text: string; warnings: string } | undefined {
  const render = installed('groff')
    ? spawnSync('groff', ['-man', '-Tutf8', '-P-cbou', '-rLL=1000n', '-rHY=0', '-ww', file], { encoding: 'utf8' })
    : installed('man')
      ? spawnSync('man', ['--warnings', '-l', file], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '1000', MAN_KEEP_FORMATTING: '', LC_ALL: 'C.UTF-8' } })
      : undefined;
  if (!render) return undefined;
  expect(render.status).toBe(0);
  return { text: render.stdout.replace(/.\x08/g, '').replace(/\u2212|\u2010/g, '-'), warnings: render.stderr };
}

describe('the man page', () => {
  it('is built with the package from the program (npm run build) and listed for npm to install', () => {
    expect(readFileSync(BUILT, 'utf8')).toBe(renderManPage(program()));
    expect(PACKAGE.man.map((file) => join(ROOT, file))).toEqual([BUILT]);
  });

  const rendered = installed('groff') || installed('man') ? it : it.skip;
  if (rendered === it.skip) process.stderr.write('[cellctl tests] neither groff nor man is installed: rendering the man page is SKIPPED\n');

  rendered('renders without warnings and holds every command, every option and every exit code', () => {
    const page = renderPage(BUILT)!;
    expect(page.warnings).toBe('');
    const lines = page.text.split('\n').map((l) => l.trim());
    expect(lines[0]).toMatch(/^CELLCTL\(1\)\s+User Commands\s+CELLCTL\(1\)$/);
    const section = (name: string): string[] => {
      const start = page.text.split('\n').findIndex((l) => l === name);
      expect(start).toBeGreaterThan(0);
      const end = page.text.split('\n').findIndex((l, i) => i > start && /^[A-Z]/.test(l));
      return page.text.split('\n').slice(start + 1, end).map((l) => l.trim());
    };

    const globals = section('GLOBAL OPTIONS');
    for (const option of program().options) expect(globals).toContain(option.flags.replace(/[<>]/g, ''));

    const commands = section('COMMANDS');
    for (const { path, command } of leaves(program())) {
      const at = commands.indexOf(`cellctl ${path}`);
      expect({ path, found: at >= 0 }).toEqual({ path, found: true });
      const next = commands.findIndex((l, i) => i > at + 1 && /^cellctl \S/.test(l) && leaves(program()).some((leaf) => l === `cellctl ${leaf.path}`));
      const own = commands.slice(at, next === -1 ? undefined : next).join('\n');
      expect(own).toContain(command.description().replace(/\s+/g, ' '));
      for (const option of command.options) expect(own).toContain(option.flags.replace(/[<>]/g, ''));
      for (const code of exitCodesOf(command)) expect(own).toContain(`${String(code.code).padEnd(7)}${code.meaning}`);
    }

    const status = section('EXIT STATUS').join('\n');
    for (const code of [...PROGRAM_EXIT_CODES, ...COMMON_EXIT_CODES]) expect(status).toContain(`${(code.label ?? String(code.code)).padEnd(7)}${code.meaning}`);
  });
});

describe('the package', () => {
  it('ships the command, the compiled program, the schemas and the man page, and no tests', () => {
    const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    expect(pack.status).toBe(0);
    const files = (JSON.parse(pack.stdout) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/cellctl',
        'dist/src/main.js',
        'dist/src/cli/program.js',
        'dist/man/cellctl.1',
        'schemas/nova-api.schema.json',
        'schemas/nova-cell.schema.json',
        'package.json',
      ]),
    );
    expect(files.filter((f) => /^(test|src|bench|\.ci)\//.test(f))).toEqual([]);
  });

  it('installs bin/cellctl as cellctl: an executable node script loading the built program', () => {
    expect(PACKAGE.bin).toEqual({ cellctl: 'bin/cellctl' });
    const bin = join(ROOT, PACKAGE.bin.cellctl);
    accessSync(bin, constants.X_OK);
    expect(readFileSync(bin, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n[\s\S]*require\('\.\.\/dist\/src\/main\.js'\)/);
    const run = spawnSync(bin, ['-V'], { encoding: 'utf8' });
    expect([run.status, run.stdout.split('\n')[0]]).toEqual([0, `cellctl ${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}`]);
  });

  it("tells, beside the README's two set-up commands, how to put cellctl on PATH", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const setup = readme.slice(readme.indexOf('## Set up'), readme.indexOf('\n## ', readme.indexOf('## Set up') + 1));
    expect(setup.match(/```sh\n/g)).toHaveLength(2);
    for (const way of ['`npm install -g .`', '`npm link`', '`npx cellctl']) expect(setup).toContain(way);
    expect(Object.keys(PACKAGE.bin)).toEqual(['cellctl']);
  });
});
