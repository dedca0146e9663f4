/**
 * Named failpoints for crash tests: when DOUBLE_RANDOM_FAILPOINT names the point, the process
 * kills itself there (SIGKILL: no cleanup, no rollback handler runs), as a power cut would.
 */
export function failpoint(name: string): void {
  if (process.env.DOUBLE_RANDOM_FAILPOINT === name) process.kill(process.pid, 'SIGKILL');
}
