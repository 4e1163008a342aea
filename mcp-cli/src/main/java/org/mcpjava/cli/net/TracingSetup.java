package org.mcpjava.cli.net;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The OpenTelemetry SDK for {@code mcp server --tracing}, configured by the SDK's own
 * autoconfiguration from {@code OTEL_*} environment variables and {@code otel.*} system properties
 * (exporter, endpoint, sampler, resource). This class only changes defaults: the service name is
 * the server's name, and OpenTelemetry metrics and logs are not exported (metrics are Prometheus's
 * job here, logs go to standard error). Any {@code OTEL_*} setting overrides these.
 */
final class TracingSetup implements AutoCloseable {
    private final OpenTelemetrySdk sdk;

    private TracingSetup(OpenTelemetrySdk sdk) {
        this.sdk = sdk;
    }

    static TracingSetup fromEnvironment(String serviceName) {
        Map<String, String> defaults = new HashMap<>();
        defaults.put("otel.metrics.exporter", "none");
        defaults.put("otel.logs.exporter", "none");
        String attributes = System.getenv("OTEL_RESOURCE_ATTRIBUTES");
        boolean named = System.getenv("OTEL_SERVICE_NAME") != null || System.getProperty("otel.service.name") != null
                || (attributes != null && attributes.contains("service.name="));
        if (!named) {
            defaults.put("otel.service.name", serviceName);
        }
        OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> defaults)
                .disableShutdownHook() // closed in order by ServerRuntime, after the drain
                .build()
                .getOpenTelemetrySdk();
        return new TracingSetup(sdk);
    }

    OpenTelemetry openTelemetry() {
        return sdk;
    }

    /** Flushes spans still buffered and stops the exporters. */
    @Override
    public void close() {
        sdk.shutdown().join(10, TimeUnit.SECONDS);
    }
}
