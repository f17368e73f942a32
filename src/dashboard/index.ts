export { type ExportResult, exportDashboard } from './export.js';
export { DASHBOARD_TYPES, type DashboardData, type ExecutionPoint, type MonitorView } from './model.js';
export { DASHBOARD_CSP, featureOrder, monitorPage, overviewPage, type PageOptions } from './pages.js';
export { executionPoint, readDashboard, readMonitor } from './read.js';
export { summarizeSeries } from './series.js';
export { createDashboardServer, DASHBOARD_HEADERS, type DashboardServerOptions } from './server.js';
