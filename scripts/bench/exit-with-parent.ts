/**
 * Preloaded with `node --require` into every service process the bench starts. The bench
 * has an IPC channel open to each child. When the bench dies, even by SIGKILL, the
 * channel closes and the child stops itself with SIGTERM, so no gateway or worker
 * outlives a failed run.
 */
if (process.channel) {
  // The channel must not keep a process alive that would otherwise exit.
  process.channel.unref();
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
