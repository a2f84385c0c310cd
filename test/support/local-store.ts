import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ObjectStore } from '../../packages/shared/src/object-store';
import { LOCAL_S3_CREDENTIALS, startLocalS3 } from '../../scripts/local-s3';

export interface LocalStore {
  store: ObjectStore;
  endpoint: string;
  /** Stops the S3 server and removes its directory. */
  close(): Promise<void>;
}

/** Starts the embedded S3 server in a new temporary directory and opens `bucket` on it. */
export async function startLocalStore(bucket: string): Promise<LocalStore> {
  const directory = mkdtempSync(path.join(tmpdir(), `ti-${bucket}-`));
  const s3 = await startLocalS3(directory);
  const store = new ObjectStore({ endpoint: new URL(s3.endpoint), ...LOCAL_S3_CREDENTIALS, bucket, region: 'us-east-1' });
  await store.ensureBucket();
  return {
    store,
    endpoint: s3.endpoint,
    close: async () => {
      await s3.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
