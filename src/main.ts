import { run } from './cli/run';

// The only place that sets the exit code; nothing in cellctl calls process.exit(). The name the
// program was invoked as (bin/cellctl, or a link named after a Nova tool) selects the front.
void run(process.argv.slice(2), undefined, process.argv[1] ?? 'cellctl').then((code) => {
  process.exitCode = code;
});
