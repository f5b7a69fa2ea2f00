// Sends logs with the real OpenTelemetry JS SDK (@opentelemetry/sdk-logs) for
// otlp_sdk_test.cc: three services, each with its own exporter (OTLP/HTTP
// JSON, OTLP/HTTP protobuf, OTLP/gRPC), write records of the given traces.
//
//   node otlp_sdk_client.js HTTP_BASE_URL GRPC_HOST:PORT TRACE_ID...
// Exits 0 once every provider flushed (the exporters retried what the
// server asked them to), 1 when an export failed for good.
'use strict';
const { LoggerProvider, BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { SeverityNumber } = require('@opentelemetry/api-logs');
const api = require('@opentelemetry/api');
const { OTLPLogExporter: JsonExporter } = require('@opentelemetry/exporter-logs-otlp-http');
const { OTLPLogExporter: ProtoExporter } = require('@opentelemetry/exporter-logs-otlp-proto');
const { OTLPLogExporter: GrpcExporter } = require('@opentelemetry/exporter-logs-otlp-grpc');
const grpc = require('@grpc/grpc-js');

const [httpBase, grpcAddress, ...traces] = process.argv.slice(2);
let failed = false;

// Wraps an exporter so that a final failure is seen.
function watched(exporter, name) {
  const exportFn = exporter.export.bind(exporter);
  exporter.export = (records, done) =>
    exportFn(records, (result) => {
      if (result.code !== 0) {
        failed = true;
        console.error(`${name}: export failed: ${result.error}`);
      }
      done(result);
    });
  return exporter;
}

function provider(service, exporter) {
  return new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'service.version': '1.0.0' }),
    processors: [new BatchLogRecordProcessor({ exporter, maxExportBatchSize: 512, scheduledDelayMillis: 50 })],
  });
}

const services = [
  provider('frontend', watched(new JsonExporter({ url: `${httpBase}/v1/logs` }), 'http/json')),
  provider('cart', watched(new ProtoExporter({ url: `${httpBase}/v1/logs` }), 'http/protobuf')),
  provider(
    'payments',
    watched(
      new GrpcExporter({ url: `http://${grpcAddress}`, credentials: grpc.credentials.createInsecure() }),
      'grpc'
    )
  ),
];

function emit(p, trace, span, severityNumber, severityText, body, attributes) {
  const ctx = api.trace.setSpanContext(api.context.active(), {
    traceId: trace,
    spanId: span,
    traceFlags: api.TraceFlags.SAMPLED,
  });
  p.getLogger('checkout-flow').emit({ severityNumber, severityText, body, attributes, context: ctx });
}

traces.forEach((trace, i) => {
  const span = (n) => `${(i + 1).toString(16).padStart(8, '0')}0000000${n}`;
  emit(services[0], trace, span(1), SeverityNumber.INFO, 'INFO', 'POST /checkout',
       { 'http.route': '/checkout' });
  emit(services[1], trace, span(2), SeverityNumber.DEBUG, 'DEBUG', 'cart loaded', { items: 3 });
  emit(services[2], trace, span(3), SeverityNumber.ERROR, 'ERROR', 'card declined',
       { 'http.response.status_code': 402 });
  emit(services[2], trace, span(3), SeverityNumber.FATAL, 'FATAL',
       { reason: 'ledger unreachable', attempts: 3 }, {});
  emit(services[0], trace, span(1), SeverityNumber.WARN, 'WARN', 'checkout failed',
       { 'http.response.status_code': 502 });
});

// forceFlush exports what the batch processors hold (retrying as told).
Promise.all(services.map((p) => p.forceFlush())).then(
  () => process.exit(failed ? 1 : 0),
  (e) => {
    console.error(e);
    process.exit(1);
  }
);
