import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliContext } from '../../src/cli/cli-context';
import { exitCodesOf } from '../../src/cli/command-kit';
import { renderCommandReference } from '../../src/cli/command-reference';
import { buildProgram } from '../../src/cli/program';
import { runCli } from '../support/cli-runner';
import type { Command } from 'commander';

const DOC = join(__dirname, '..', '..', 'docs', 'commands.md');

function program(): Command {
  return buildProgram(new CliContext({ stdout: process.stdout, stderr: process.stderr, env: {}, cwd: '/', homeDir: '/' }));
}

function leafCommands(command: Command): Command[] {
  return command.commands.length ? command.commands.flatMap(leafCommands) : [command];
}

describe('command reference', () => {
  it('docs/commands.md is the reference the program renders', () => {
    const rendered = renderCommandReference(program());
    if (process.env.CELLCTL_UPDATE_DOCS === '1') writeFileSync(DOC, rendered);
    expect(readFileSync(DOC, 'utf8')).toBe(rendered);
  });

  it('every command documents its exit codes, and its --help prints them', async () => {
    const leaves = leafCommands(program()).filter((c) => c.parent);
    expect(leaves.length).toBeGreaterThan(3);
    for (const leaf of leaves) {
      expect(exitCodesOf(leaf).map((c) => c.code)).toContain(0);
      const path: string[] = [];
      for (let c: Command | null = leaf; c?.parent; c = c.parent) path.unshift(c.name());
      const help = await runCli([...path, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/Exit codes:\n\s+0 /);
      expect(help.stdout).toMatch(/127 {2}invalid input/);
      expect(help.stdout).toMatch(/\n {2}255 {2}\S/);
    }
  });

  it('documents every exit code a command handler can return', () => {
    const commands = join(__dirname, '..', '..', 'src', 'cli', 'commands');
    const files = readdirSync(commands, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const constants = new Map<string, number>();
    for (const f of [...files.map((f) => join(commands, f)), join(commands, '..', 'exit-codes.ts')]) {
      for (const m of readFileSync(f, 'utf8').matchAll(/const (EXIT_\w+)(?:: number)? = (\d+)/g)) constants.set(m[1], Number(m[2]));
    }
    /** The codes a command file (and the helpers of its folder it imports) can return. */
    const returned = (file: string): number[] => {
      const text = readFileSync(join(commands, file), 'utf8');
      // The functions it imports from helpers of its own folder, each function's text alone.
      const helpers = [...text.matchAll(/import \{([^}]*)\} from '\.\/([\w-]+)'/g)].flatMap((m) => {
        const names = m[1].split(',').map((n) => n.trim());
        const helper = readFileSync(join(commands, file, '..', `${m[2]}.ts`), 'utf8');
        return helper.split(/^export function /m).filter((part) => names.includes(part.split('(')[0]));
      });
      const codes = [text, ...helpers].flatMap((t) => [
        ...[...t.matchAll(/return (\d+|EXIT_\w+)\b/g)].map((m) => (/^\d+$/.test(m[1]) ? Number(m[1]) : constants.get(m[1])!)),
        ...[...t.matchAll(/Record<[^>]+, number> = \{([^}]*)\}/g)].flatMap((m) => [...m[1].matchAll(/: (\d+)/g)].map((n) => Number(n[1]))),
        ...[...t.matchAll(/Math\.max\(code, .*?\? (EXIT_\w+) : (EXIT_\w+)\)/g)].flatMap((m) => [constants.get(m[1])!, constants.get(m[2])!]),
      ]);
      return [...new Set(codes)].sort((a, b) => a - b);
    };
    const undocumented: string[] = [];
    // A group's help is the program's help command again (one factory, one file).
    for (const leaf of leafCommands(program()).filter((c) => c.parent && !(c.name() === 'help' && c.parent.parent))) {
      const path: string[] = [];
      for (let c: Command | null = leaf; c?.parent; c = c.parent) path.unshift(c.name());
      const file = files.find((f) => f.endsWith(`/${path.join('-')}.command.ts`));
      expect(file).toBeDefined();
      const documented = new Set([...exitCodesOf(leaf).map((c) => c.code), 127, 255]);
      for (const code of returned(file!)) if (!documented.has(code)) undocumented.push(`${path.join(' ')}: ${code}`);
    }
    expect(undocumented).toEqual([]);
  });
});
