/** The `double-random` command (CLI entry point; `serve` starts the HTTP service). */
import { buildCli } from './cli/program.ts';

// Output piped into `head` and the like: a closed pipe ends the command quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

buildCli()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    const e = err as { code?: string; message?: string };
    process.stderr.write(`错误${e.code ? ` (${e.code})` : ''}：${e.message ?? String(err)}\n`);
    process.exitCode = process.exitCode || 2;
  });
