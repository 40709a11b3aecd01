export { startSimulator } from './start-simulator.js';
export type { Simulator, SimulatorKeys, SimulatorOptions } from './start-simulator.js';
export { resolveProfile } from './profile.js';
export type {
  DropProfile,
  ErrorProfile,
  HangProfile,
  KeyProfile,
  LatencyProfile,
  OutageWindow,
  Profile,
  ProfileInput,
  RateLimitProfile,
  ResolveProfileOptions,
} from './profile.js';
export { BUILT_IN_PROFILES } from './built-in-profiles.js';
export type { BuiltInProfileName } from './built-in-profiles.js';
export { loadProfile } from './load-profile.js';
export { planFaults } from './plan-faults.js';
export type { FaultKind, PlanFaultsOptions, PlannedRequest } from './plan-faults.js';
export type { Outcome, OutcomeCounts, SimulatorStats, TimelineSecond } from './simulator-stats.js';
export type { EmailReason, EmailVerdict } from './email-verdict.js';
export { systemClock } from './clock.js';
export type { Clock } from './clock.js';
export { ConfigError, isConfigError } from './config-error.js';
export { PortInUseError, isPortInUseError } from './port-in-use-error.js';
