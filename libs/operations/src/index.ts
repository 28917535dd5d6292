export * from './admin.schemas';
export * from './admin.service';
export * from './diagnostics.service';
export * from './message-ops.service';
export * from './rejected-events.service';
