export * from './errors';
export * from './schema';
export * from './signing';
export * from './keys';
export * from './verdicts';
export * from './verify-digest';
export * from './findings';
export * from './hash-store';
