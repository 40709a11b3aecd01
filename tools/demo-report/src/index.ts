export { renderHtmlReport } from './render-html-report.js';
export { assertDemoReport } from './assert-demo-report.js';
export { sampleDemoReport } from './sample-demo-report.js';
export type { SampleDemoReportOptions } from './sample-demo-report.js';
export type {
  BreakerState,
  BucketMetrics,
  ClientMetrics,
  DemoGoal,
  DemoMeta,
  DemoReport,
  DemoTimeline,
  TimelineEvent,
  TimelineEventKind,
  TimelinePoint,
} from './demo-report.js';
