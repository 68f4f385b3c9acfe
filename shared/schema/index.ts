export * from './audiences.ts';
export * from './errors.ts';
export * from './fields.ts';
export * from './imports.ts';
export * from './mapping.ts';
export * from './crm.ts';
export * from './connections.ts';
