import { run } from './cli/run';

// The only place that sets the exit code; nothing in cellctl calls process.exit().
void run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
