import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The only credentials the embedded S3 server accepts. */
export const LOCAL_S3_CREDENTIALS = { accessKey: 'S3RVER', secretKey: 'S3RVER' } as const;

export interface LocalS3 {
  endpoint: string;
  close(): Promise<void>;
}

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
}

/**
 * Starts @20minutes/s3rver, an S3-compatible server that keeps objects in `directory`
 * and checks request signatures. For local runs and tests only: it has no multipart
 * upload, which the service never needs below 64 MiB per object.
 */
export async function startLocalS3(directory: string, port = 0): Promise<LocalS3> {
  // The package ships no type declarations.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const S3rver = require('@20minutes/s3rver') as new (options: object) => S3rverInstance;
  const server = new S3rver({ address: '127.0.0.1', port, directory, silent: true });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close: async () => {
      server.httpServer?.closeAllConnections();
      await server.close();
    },
  };
}
