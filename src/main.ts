import { watchClosedPipes } from './cli/closed-pipe';
import { EXIT_CLOSED_PIPE } from './cli/exit-codes';
import { run } from './cli/run';

// The only place that sets the exit code; nothing in cellctl calls process.exit(). The name the
// program was invoked as (bin/cellctl, or a link named after a Nova tool) selects the front.
// A reader that closed stdout or stderr early ends the run quietly, with the status a shell gives
// a tool ended by SIGPIPE (its EPIPE error can arrive after run() has returned, hence at exit).
const pipes = watchClosedPipes([process.stdout, process.stderr]);
process.on('exit', () => {
  if (pipes.closed) process.exitCode = EXIT_CLOSED_PIPE;
});
void run(process.argv.slice(2), undefined, process.argv[1] ?? 'cellctl').then((code) => {
  process.exitCode = code;
});
