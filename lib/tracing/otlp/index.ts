export { startTraceExporter, tracesUrl, type StopTraceExporter, type TraceExporterOptions } from "./exporter";
