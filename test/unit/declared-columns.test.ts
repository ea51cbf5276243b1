/**
 * Every command that prints columns declares them (declareColumns), so that a bad `-c` or
 * `--sort-column` is refused before it runs: a command that writes must not write and then refuse
 * to print (a refused command changes no row). Checked on the sources: a new printing command
 * without the declaration fails here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const COMMANDS = join(__dirname, '..', '..', 'src', 'cli', 'commands');

function commandFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? commandFiles(path) : name.endsWith('.command.ts') ? [path] : [];
  });
}

describe('declared columns', () => {
  it('every command that prints a listing or a record declares its columns', () => {
    const printing = commandFiles(COMMANDS).filter((f) => /\b(printList|printObject|reportSyncOutcomes)\(/.test(readFileSync(f, 'utf8')));
    expect(printing.length).toBeGreaterThan(15);
    expect(printing.filter((f) => !/\bdeclareColumns\(command, /.test(readFileSync(f, 'utf8')))).toEqual([]);
  });
});
