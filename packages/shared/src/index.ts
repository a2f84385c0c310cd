export * from './config';
export * from './object-store';
export * from './queue';
export * from './redis';
export * from './schema';
export * from './logger';
export * from './health';
export * from './queue-gauge';
