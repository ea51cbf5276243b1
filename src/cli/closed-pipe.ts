/** Whether a stream's reader went away during the run. */
export interface ClosedPipeWatch {
  readonly closed: boolean;
}

/**
 * Watches the process's output streams for a reader that went away (`cellctl cell list | head -1`).
 * Node ignores SIGPIPE, so a write to a closed pipe fails with EPIPE, reported as an 'error' event
 * that would crash the process with a stack trace. Here it only marks the watch closed: the stream
 * is destroyed, so later writes to it are dropped without another error, the command runs to its
 * end (never stopped part-way through a write), and main.ts ends with EXIT_CLOSED_PIPE. Any other
 * stream error is rethrown, as if no listener were there.
 */
export function watchClosedPipes(streams: NodeJS.WritableStream[]): ClosedPipeWatch {
  const watch = { closed: false };
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      watch.closed = true;
    });
  }
  return watch;
}
