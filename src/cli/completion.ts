import type { Command, Option } from 'commander';

/** The shells `cellctl completion` writes a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/** What may follow an option: nothing, any value, a file, a directory, or one of its choices. */
type ValueKind = { kind: 'none' } | { kind: 'any' } | { kind: 'file' } | { kind: 'dir' } | { kind: 'choices'; choices: string[] };

interface OptionModel {
  names: string[];
  description: string;
  value: ValueKind;
}

/** One command of the tree, named by its path after `cellctl` ('' for the program). */
interface NodeModel {
  path: string;
  subcommands: Array<{ name: string; description: string }>;
  /** Its own options (the program's are the global ones, valid on every command). */
  options: OptionModel[];
  /** The choices of its first argument, if it has any (`completion <shell>`). */
  argumentChoices: string[];
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}

function valueOf(option: Option): ValueKind {
  if (!option.required) return { kind: 'none' };
  if (option.argChoices?.length) return { kind: 'choices', choices: option.argChoices };
  const placeholder = /<([\w-]+)>/.exec(option.flags)?.[1];
  if (placeholder === 'file') return { kind: 'file' };
  if (placeholder === 'dir') return { kind: 'dir' };
  return { kind: 'any' };
}

/** Every command of the program, as completion needs it: what follows it, its options, their values. */
function completionModel(program: Command): NodeModel[] {
  const help = program.createHelp();
  const nodes: NodeModel[] = [];
  const visit = (command: Command, path: string): void => {
    const subs = help.visibleCommands(command);
    nodes.push({
      path,
      subcommands: subs.map((sub) => ({ name: sub.name(), description: firstLine(sub.description()) })),
      options: help.visibleOptions(command).map((o) => ({ names: [o.short, o.long].filter((n): n is string => Boolean(n)), description: firstLine(o.description), value: valueOf(o) })),
      argumentChoices: command.registeredArguments[0]?.argChoices ?? [],
    });
    // A group's `help` takes command names, which the scripts complete from the group itself.
    for (const sub of subs) if (sub.name() !== 'help') visit(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  visit(program, '');
  return nodes;
}

/** `text` in single quotes for bash and zsh. */
function shQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** `text` in single quotes for fish (which knows \' and \\ inside them). */
function fishQuote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function valueWord(value: ValueKind): string {
  return value.kind === 'choices' ? `choices ${value.choices.join(' ')}` : value.kind;
}

/** A shell `case` arm per node: `"path") body ;;`, for the nodes where `body` has something. */
function caseArms(nodes: NodeModel[], body: (node: NodeModel) => string | undefined, indent = '    '): string[] {
  return nodes.flatMap((node) => {
    const text = body(node);
    return text === undefined ? [] : [`${indent}${shQuote(node.path)}) ${text} ;;`];
  });
}

/**
 * The arms of `_cellctl_value_kind NODE OPTION`: each option that takes a value, with what kind
 * (`any`, `file`, `dir`, `choices A B`). A command's own options first, the global ones for any command.
 */
function valueKindArms(nodes: NodeModel[]): string[] {
  const [root, ...rest] = nodes;
  const arm = (pattern: string, option: OptionModel): string => `    ${pattern}) echo ${shQuote(valueWord(option.value))} ;;`;
  return [
    ...rest.flatMap((node) => node.options.filter((o) => o.value.kind !== 'none').map((o) => arm(o.names.map((n) => shQuote(`${node.path}|${n}`)).join('|'), o))),
    ...root.options.filter((o) => o.value.kind !== 'none').map((o) => arm(o.names.map((n) => `*${shQuote(`|${n}`)}`).join('|'), o)),
  ];
}

/** A command's options that are not global ones too (every command has its own -h, --help). */
function ownOptions(node: NodeModel, root: NodeModel): OptionModel[] {
  return node.options.filter((o) => !root.options.some((g) => g.names.join() === o.names.join()));
}

/** The functions both bash and zsh scripts share: the tree as `case` statements over a command's path. */
function sharedFunctions(nodes: NodeModel[]): string[] {
  const globals = nodes[0].options.flatMap((o) => o.names);
  return [
    '# The subcommands of a command (its path after cellctl: "", "cell", ...).',
    '_cellctl_names() {',
    '  case $1 in',
    ...caseArms(nodes, (n) => (n.subcommands.length ? `echo ${shQuote(n.subcommands.map((s) => s.name).join(' '))}` : undefined)),
    '  esac',
    '}',
    '',
    '# The options of a command: its own and the global ones.',
    '_cellctl_options() {',
    '  case $1 in',
    ...caseArms(nodes.slice(1), (n) => (ownOptions(n, nodes[0]).length ? `echo ${shQuote(ownOptions(n, nodes[0]).flatMap((o) => o.names).join(' '))}` : undefined)),
    '  esac',
    `  echo ${shQuote(globals.join(' '))}`,
    '}',
    '',
    '# What follows an option of a command: nothing (no output), any, file, dir, or "choices A B ...".',
    '_cellctl_value_kind() {',
    '  case "$1|$2" in',
    ...valueKindArms(nodes),
    '  esac',
    '}',
    '',
    '# The values the first argument of a command can take, when it has a fixed set.',
    '_cellctl_arguments() {',
    '  case $1 in',
    ...caseArms(nodes, (n) => (n.argumentChoices.length ? `echo ${shQuote(n.argumentChoices.join(' '))}` : undefined)),
    '  esac',
    '}',
  ];
}

/**
 * The loop both bash and zsh run over the words before the cursor (`$1` the first index, `$2` the
 * cursor's, the words in `_cellctl_words`): it sets `_cellctl_node` to the command named so far,
 * skips option values, and sets `_cellctl_help` after a `help` (which is followed by command names).
 */
function walkFunction(): string[] {
  return [
    '_cellctl_walk() {',
    '  local i=$1 word',
    "  _cellctl_node='' _cellctl_help=0",
    '  while (( i < $2 )); do',
    '    word=${_cellctl_words[i]}',
    '    if [[ $word == -* ]]; then',
    '      if [[ ${_cellctl_words[i+1]} == "=" ]]; then',
    '        (( i += 2 ))',
    '      elif [[ $word != *=* && -n $(_cellctl_value_kind "$_cellctl_node" "$word") ]]; then',
    '        (( i += 1 ))',
    '      fi',
    '    elif [[ $word == help && $_cellctl_help == 0 && -n $(_cellctl_names "$_cellctl_node") ]]; then',
    '      _cellctl_help=1',
    '    elif [[ " $(_cellctl_names "$_cellctl_node") " == *" $word "* ]]; then',
    '      _cellctl_node=${_cellctl_node:+$_cellctl_node }$word',
    '    fi',
    '    (( i += 1 ))',
    '  done',
    '}',
  ];
}

function bashScript(nodes: NodeModel[]): string {
  return [
    '# bash completion for cellctl, generated by `cellctl completion bash`.',
    '# Load it in the running shell with: source <(cellctl completion bash)',
    '# or for every shell: cellctl completion bash > ~/.local/share/bash-completion/completions/cellctl',
    '',
    ...sharedFunctions(nodes),
    '',
    ...walkFunction(),
    '',
    '_cellctl() {',
    '  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} kind',
    '  local -a _cellctl_words=("${COMP_WORDS[@]}")',
    '  local _cellctl_node _cellctl_help',
    '  _cellctl_walk 1 "$COMP_CWORD"',
    '  COMPREPLY=()',
    "  # bash splits --option=value at '=': complete the value.",
    '  if [[ $cur == "=" ]]; then',
    "    cur=''",
    '  elif [[ $prev == "=" ]]; then',
    '    prev=${COMP_WORDS[COMP_CWORD-2]}',
    '  fi',
    '  if [[ $prev == -* ]]; then',
    '    kind=$(_cellctl_value_kind "$_cellctl_node" "$prev")',
    '    case $kind in',
    '      "") ;;',
    '      file) COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null; return 0 ;;',
    '      dir) COMPREPLY=($(compgen -d -- "$cur")); compopt -o filenames 2>/dev/null; return 0 ;;',
    '      choices*) COMPREPLY=($(compgen -W "${kind#choices }" -- "$cur")); return 0 ;;',
    '      *) return 0 ;;',
    '    esac',
    '  fi',
    '  if [[ $cur == -* ]]; then',
    '    (( _cellctl_help )) || COMPREPLY=($(compgen -W "$(_cellctl_options "$_cellctl_node")" -- "$cur"))',
    '    return 0',
    '  fi',
    '  local names=$(_cellctl_names "$_cellctl_node")',
    '  if [[ -n $names ]]; then',
    '    COMPREPLY=($(compgen -W "$names" -- "$cur"))',
    '  elif (( ! _cellctl_help )); then',
    '    COMPREPLY=($(compgen -W "$(_cellctl_arguments "$_cellctl_node")" -- "$cur"))',
    '  fi',
    '  return 0',
    '}',
    '',
    'complete -F _cellctl cellctl',
    '',
  ].join('\n');
}

/** `name:description` lines for zsh's _describe, colons in names escaped. */
function describeLines(entries: Array<{ name: string; description: string }>): string {
  return entries.map((e) => shQuote(`${e.name.replace(/:/g, '\\:')}:${e.description}`)).join(' ');
}

function zshScript(nodes: NodeModel[]): string {
  const root = nodes[0];
  const optionEntries = (options: OptionModel[]) => options.flatMap((o) => o.names.map((name) => ({ name, description: o.description })));
  return [
    '#compdef cellctl',
    '# zsh completion for cellctl, generated by `cellctl completion zsh`.',
    '# Load it in the running shell with: source <(cellctl completion zsh)',
    '# or for every shell: cellctl completion zsh > "${fpath[1]}/_cellctl" (any directory of $fpath)',
    '',
    ...sharedFunctions(nodes),
    '',
    ...walkFunction(),
    '',
    '# The subcommands of a command with their descriptions, for _describe.',
    '_cellctl_described_names() {',
    '  case $1 in',
    ...caseArms(nodes, (n) => (n.subcommands.length ? `reply=(${describeLines(n.subcommands)})` : undefined)),
    "    *) reply=() ;;",
    '  esac',
    '}',
    '',
    '# The options of a command with their descriptions, for _describe.',
    '_cellctl_described_options() {',
    '  case $1 in',
    ...caseArms(nodes.slice(1), (n) => (ownOptions(n, root).length ? `reply=(${describeLines(optionEntries(ownOptions(n, root)))})` : undefined)),
    "    *) reply=() ;;",
    '  esac',
    `  reply+=(${describeLines(optionEntries(root.options))})`,
    '}',
    '',
    '_cellctl_values() {',
    '  case $1 in',
    '    file) _files ;;',
    '    dir) _files -/ ;;',
    '    choices*) compadd -- ${=${1#choices }} ;;',
    '    *) return 1 ;;',
    '  esac',
    '}',
    '',
    '_cellctl() {',
    '  local cur=${words[CURRENT]} prev=${words[CURRENT-1]} kind',
    '  local -a _cellctl_words reply',
    '  _cellctl_words=("${words[@]}")',
    '  local _cellctl_node _cellctl_help',
    '  _cellctl_walk 2 "$CURRENT"',
    '  if [[ $cur == -*=* ]]; then',
    '    kind=$(_cellctl_value_kind "$_cellctl_node" "${cur%%=*}")',
    "    compset -P '*='",
    '    _cellctl_values "$kind"',
    '    return',
    '  fi',
    '  if [[ $prev == -* && $prev != *=* ]]; then',
    '    kind=$(_cellctl_value_kind "$_cellctl_node" "$prev")',
    '    if [[ -n $kind ]]; then',
    '      _cellctl_values "$kind"',
    '      return',
    '    fi',
    '  fi',
    '  if [[ $cur == -* ]]; then',
    '    (( _cellctl_help )) && return 1',
    '    _cellctl_described_options "$_cellctl_node"',
    "    _describe -t options 'option' reply",
    '    return',
    '  fi',
    '  _cellctl_described_names "$_cellctl_node"',
    '  if (( ${#reply} )); then',
    "    _describe -t commands 'command' reply",
    '  elif (( ! _cellctl_help )); then',
    '    local choices=$(_cellctl_arguments "$_cellctl_node")',
    '    [[ -n $choices ]] && compadd -- ${=choices}',
    '  fi',
    '}',
    '',
    'if [[ $funcstack[1] == _cellctl ]]; then',
    '  _cellctl "$@"',
    'else',
    '  compdef _cellctl cellctl',
    'fi',
    '',
  ].join('\n');
}

function fishScript(nodes: NodeModel[]): string {
  const [root, ...rest] = nodes;
  const valueOptions = nodes.flatMap((n) => n.options.filter((o) => o.value.kind !== 'none').flatMap((o) => o.names.map((name) => (n.path ? `${n.path}|${name}` : `*|${name}`))));
  const optionLine = (option: OptionModel, condition?: string): string => {
    const parts = ['complete -c cellctl'];
    if (condition) parts.push(`-n ${fishQuote(condition)}`);
    for (const name of option.names) parts.push(name.startsWith('--') ? `-l ${name.slice(2)}` : `-s ${name.slice(1)}`);
    if (option.value.kind === 'choices') parts.push(`-x -a ${fishQuote(option.value.choices.join(' '))}`);
    else if (option.value.kind === 'file') parts.push('-r -F');
    else if (option.value.kind === 'dir') parts.push(`-x -a ${fishQuote('(__fish_complete_directories)')}`);
    else if (option.value.kind === 'any') parts.push('-x');
    parts.push(`-d ${fishQuote(option.description)}`);
    return parts.join(' ');
  };
  const at = (path: string): string => `test (__cellctl_node) = ${fishQuote(path)}`;
  return [
    '# fish completion for cellctl, generated by `cellctl completion fish`.',
    '# Load it with: cellctl completion fish | source',
    '# or for every shell: cellctl completion fish > ~/.config/fish/completions/cellctl.fish',
    '',
    '# The command named so far (its path after cellctl), "help" when completing after a help.',
    'function __cellctl_node',
    '    set -l words (commandline -opc)',
    "    set -l node ''",
    '    set -l help 0',
    '    set -l skip 0',
    `    set -l value_options ${valueOptions.map(fishQuote).join(' ')}`,
    '    for word in $words[2..-1]',
    '        if test $skip = 1',
    '            set skip 0',
    '            continue',
    '        end',
    "        if string match -q -- '-*' $word",
    "            if not string match -q -- '*=*' $word",
    '                if contains -- "$node|$word" $value_options; or contains -- "*|$word" $value_options',
    '                    set skip 1',
    '                end',
    '            end',
    '        else if test $word = help; and test $help = 0; and contains -- $word (__cellctl_names $node)',
    '            set help 1',
    '        else if contains -- $word (__cellctl_names $node)',
    '            set node (string trim -- "$node $word")',
    '        end',
    '    end',
    '    if test $help = 1',
    '        string trim -- "help $node"',
    '    else',
    '        echo $node',
    '    end',
    'end',
    '',
    'function __cellctl_names',
    '    switch "$argv[1]"',
    ...nodes.filter((n) => n.subcommands.length).flatMap((n) => [`        case ${fishQuote(n.path)}`, `            printf '%s\\n' ${n.subcommands.map((s) => fishQuote(s.name)).join(' ')}`]),
    '    end',
    'end',
    '',
    'complete -c cellctl -f',
    '# Global options, valid on every command.',
    ...root.options.map((o) => optionLine(o)),
    ...nodes
      .filter((n) => n.subcommands.length)
      .flatMap((n) => [
        `# After cellctl ${n.path ? `${n.path} ` : ''}(and after its help)`,
        ...n.subcommands.flatMap((s) =>
          [n.path, `help ${n.path}`.trim()].map((path) => `complete -c cellctl -n ${fishQuote(at(path))} -a ${fishQuote(s.name)} -d ${fishQuote(s.description)}`),
        ),
      ]),
    ...rest
      .filter((n) => n.subcommands.length === 0)
      .flatMap((n) => [
        ...ownOptions(n, root).map((o) => optionLine(o, at(n.path))),
        ...(n.argumentChoices.length ? [`complete -c cellctl -n ${fishQuote(at(n.path))} -a ${fishQuote(n.argumentChoices.join(' '))}`] : []),
      ]),
    '',
  ].join('\n');
}

/**
 * The completion script of `shell` for the program, generated from its commands and options (so
 * it cannot drift from them): subcommands, options (a command's own and the global ones), the
 * choices of an option or argument, files and directories where an option names one.
 */
export function renderCompletion(program: Command, shell: CompletionShell): string {
  const nodes = completionModel(program);
  if (shell === 'bash') return bashScript(nodes);
  if (shell === 'zsh') return zshScript(nodes);
  return fishScript(nodes);
}
