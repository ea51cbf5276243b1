import { readFileSync, writeFileSync } from 'node:fs';
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
});
