/**
 * Runs the embedded S3-compatible server in a process of its own, so its CPU time is
 * measured apart from the load generator. Usage: node s3-server.js DIRECTORY.
 * Sends `{ type: 'ready', endpoint }` over IPC once it listens on 127.0.0.1.
 */
import { startLocalS3 } from '../local-s3';

async function main(): Promise<void> {
  const directory = process.argv[2];
  if (!directory) throw new Error('missing argument: the directory that keeps the objects');

  const s3 = await startLocalS3(directory);
  const stop = () => {
    s3.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.send?.({ type: 'ready', endpoint: s3.endpoint });
}

main().catch((error: unknown) => {
  console.error('s3 server failed to start:', error);
  process.exit(1);
});
