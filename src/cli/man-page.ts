import type { EventEmitter } from 'node:events';
import type { Command, Option } from 'commander';
import { exitCodesOf } from './command-kit';
import { COMMON_EXIT_CODES, type ExitCodeDoc, formatExitCodes, PROGRAM_EXIT_CODES } from './exit-codes';
import { packageVersion, versionText } from './version';

/** `text` as roff running text: backslashes and hyphens escaped, a leading period or quote neutralised. */
function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .split('\n')
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join('\n');
}

/** An option's flags in bold, its value placeholder in italics: `\fB\-f\fR, \fB\-\-format\fR \fIformat\fR`. */
function optionTerm(option: Option): string {
  const [names, placeholder] = [option.flags.replace(/\s*[<[].*$/, ''), /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1]];
  const bold = names
    .split(/,\s*/)
    .map((name) => `\\fB${roff(name)}\\fR`)
    .join(', ');
  return placeholder ? `${bold} \\fI${roff(placeholder)}\\fR` : bold;
}

function optionText(option: Option): string {
  const notes = [
    ...(option.argChoices ? [`one of: ${option.argChoices.join(', ')}`] : []),
    ...(option.defaultValue !== undefined && !Array.isArray(option.defaultValue) && option.defaultValue !== false ? [`default: ${String(option.defaultValue)}`] : []),
  ];
  return roff(`${option.description}${notes.length ? ` (${notes.join('; ')})` : ''}`);
}

function optionList(options: readonly Option[]): string[] {
  return options.flatMap((o) => (o.hidden ? [] : ['.TP', optionTerm(o), optionText(o)]));
}

function exitCodeList(codes: ExitCodeDoc[]): string[] {
  return codes.flatMap((c) => ['.TP', `.B ${c.label ?? c.code}`, roff(c.meaning)]);
}

/** Every command that runs something, with its path after `cellctl` (a group's own `help` left out: the program's is listed). */
function leafCommands(command: Command, path: string[] = []): Array<{ path: string[]; command: Command }> {
  return command.commands.flatMap((sub) => {
    if (sub.name() === 'help' && path.length > 0) return [];
    const here = [...path, sub.name()];
    return sub.commands.length ? leafCommands(sub, here) : [{ path: here, command: sub }];
  });
}

/** What the program's --help prints after its commands, less the exit codes (listed in their own section). */
function programNotes(program: Command): string[] {
  let text = '';
  // NOTE: addHelpText registers 'afterHelp' listeners; commander's types omit that Command is an EventEmitter.
  (program as unknown as EventEmitter).emit('afterHelp', { error: false, command: program, write: (s: string) => (text += s) });
  return text
    .replace(formatExitCodes(PROGRAM_EXIT_CODES), '')
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim().replace(/\s*\n\s*/g, ' '))
    .filter(Boolean);
}

/**
 * The man page cellctl(1), in roff, rendered from the program itself like docs/commands.md:
 * every command with its usage, description, options and exit codes, the global options, the
 * exit codes every command shares, and what the program's --help says about configuration.
 */
export function renderManPage(program: Command): string {
  const shared = [...PROGRAM_EXIT_CODES, ...COMMON_EXIT_CODES].sort((a, b) => a.code - b.code);
  const out = [
    `.\\" Generated from the program by scripts/build-man-page.js (npm run build); do not edit.`,
    `.TH CELLCTL 1 "" "cellctl ${packageVersion()}" "User Commands"`,
    '.SH NAME',
    `cellctl \\- ${roff(program.description())}`,
    '.SH SYNOPSIS',
    '.B cellctl',
    '[\\fIglobal options\\fR] \\fIcommand\\fR [\\fIsubcommand\\fR] [\\fIoptions\\fR] [\\fIarguments\\fR]',
    '.br',
    '.B cellctl help',
    '[\\fIcommand\\fR...]',
    '.br',
    '.B cellctl completion',
    '\\fBbash\\fR|\\fBzsh\\fR|\\fBfish\\fR',
    '.SH DESCRIPTION',
    roff(`${program.description()}. Data goes to stdout, notices, progress and errors to stderr.`),
    ...programNotes(program).flatMap((paragraph) => ['.PP', roff(paragraph)]),
    '.PP',
    ...versionText()
      .split('\n')
      .flatMap((line, i) => [...(i ? ['.br'] : []), roff(line)]),
    '.SH GLOBAL OPTIONS',
    'Valid on every command, before or after its name.',
    ...optionList(program.createHelp().visibleOptions(program)),
    '.SH COMMANDS',
  ];
  for (const { path, command } of leafCommands(program)) {
    out.push(`.SS "${roff(`cellctl ${path.join(' ')}`)}"`, `\\fBcellctl ${roff(path.join(' '))}\\fR ${roff(command.usage())}`, '.PP', roff(command.description()));
    if (command.options.length) out.push('.PP', 'Options:', '.RS', ...optionList(command.options), '.RE');
    const codes = exitCodesOf(command);
    if (codes.length) out.push('.PP', 'Exit codes (and those of EXIT STATUS):', '.RS', ...exitCodeList(codes), '.RE');
  }
  out.push('.SH EXIT STATUS', 'Every command lists its own codes above; these mean the same for every command:', ...exitCodeList(shared));
  out.push('.SH SEE ALSO', '\\fBnova\\-manage\\fR(1), \\fBnova\\-status\\fR(1), and docs/commands.md in cellctl\'s source.');
  return `${out.join('\n')}\n`;
}
