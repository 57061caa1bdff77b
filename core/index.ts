/**
 * lunhost's public API, for plugin authors and embedders: the types a store
 * or transport plugin implements, StoreError, and the host itself.
 */
export type { BackingStore, StoreCapabilities, AllocationExtent } from './store/BackingStore.js';
export { StoreError, type StoreErrorKind } from './store/StoreError.js';
export { dataBuffers, DataBufferPool } from './buffers/DataBufferPool.js';
export type { StoreProvider, StoreOpenRequest } from './store/StoreProvider.js';
export type {
  Transport, TransportProvider, TransportContext, PortalSpec, ServedTarget, TargetAuth, ChapCredentials, SessionInfo,
} from './transport/Transport.js';
export type {
  ScsiCommand, ScsiResult, ScsiTargetDevice, ItNexus, TaskManagementRequest,
} from './scsi/ScsiCommand.js';
export { ScsiStatus, TaskAttribute, TaskManagementFunction, TaskManagementResponse } from './scsi/ScsiCommand.js';
export type { LunhostPlugin, PluginHost } from './plugin/Plugin.js';
export type { JsonSchemaObject } from './plugin/JsonSchema.js';
export type { HostHooks, LunEvent, LunResizedEvent } from './host/HostHooks.js';
export type { Logger, LogLevel, LogFields } from './log/Logger.js';
export type {
  Declaration, PortalDecl, TargetDecl, LunDecl, BindingDecl, AuthDecl, ChapDecl, PluginRef, ManagementDecl,
} from './config/Declaration.js';
export type { Plan, PlanAction } from './plan/Plan.js';
export type { PlanReport, PlannedAction, AppliedPlan, AppliedAction, PlanImpact, FieldChange } from './plan/PlanReport.js';
export { describePlan } from './plan/describePlan.js';
export { renderPlan } from './plan/renderPlan.js';
export { ConfigError, formatIssue, type ConfigIssue } from './config/ConfigError.js';
export { parseSize, formatSize } from './config/parseSize.js';
export { createLogger, silentLogger } from './log/createLogger.js';
export { Host, type HostOptions, type StartReport } from './host/Host.js';
