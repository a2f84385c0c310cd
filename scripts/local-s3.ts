import { rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The only credentials the embedded S3 server accepts. */
export const LOCAL_S3_CREDENTIALS = { accessKey: 'S3RVER', secretKey: 'S3RVER' } as const;

export interface LocalS3 {
  endpoint: string;
  close(): Promise<void>;
}

/** The part of s3rver's file system store that `keepFolders` uses. */
interface S3rverStore {
  deleteObject(bucket: string, key: string): Promise<void>;
  getResourcePath(bucket: string, key: string, resource: string): string;
}

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
  store: S3rverStore;
}

/**
 * Makes deletes leave folders in place. s3rver removes a key's folder once its last
 * object is gone, and an upload into that folder at the same moment then fails with
 * 500 or loses its file. The gateway writes every pending marker into one folder while
 * workers delete others, so this happened in ordinary runs.
 */
function keepFolders(store: S3rverStore): void {
  store.deleteObject = async (bucket, key) => {
    const files = ['object', 'object.md5', 'metadata.json'].map((resource) => store.getResourcePath(bucket, key, resource));
    await Promise.all(files.map((file) => rm(file, { force: true })));
  };
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
  keepFolders(server.store);
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close: async () => {
      server.httpServer?.closeAllConnections();
      await server.close();
    },
  };
}
