package org.mcpjava.observability.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Prometheus histogram family kept in {@link LongAdder}s and registered as a collector in the
 * registry's Prometheus registry, so it is scraped with the Micrometer meters. Recording is a
 * binary search over the bucket bounds and two adder increments; the snapshot is built at scrape
 * time.
 */
final class PrometheusLatencyFamily extends LatencyFamily implements Collector {
    private final String name;
    private final String help;
    private final long[] boundsNanos;
    private final double[] boundsSeconds;
    private final Map<Labels, Series> series = new ConcurrentHashMap<>();

    PrometheusLatencyFamily(PrometheusMeterRegistry registry, String name, String help, Duration[] bounds) {
        this.name = name;
        this.help = help;
        this.boundsNanos = new long[bounds.length];
        this.boundsSeconds = new double[bounds.length + 1];
        for (int i = 0; i < bounds.length; i++) {
            boundsNanos[i] = bounds[i].toNanos();
            boundsSeconds[i] = bounds[i].toNanos() / 1e9;
        }
        boundsSeconds[bounds.length] = Double.POSITIVE_INFINITY;
        registry.getPrometheusRegistry().register(this);
    }

    /** One labelled histogram: a count per bucket (not cumulative) and the sum. */
    private final class Series implements Recorder {
        final LongAdder[] buckets = new LongAdder[boundsNanos.length + 1];
        final LongAdder sumNanos = new LongAdder();

        Series() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        @Override
        public void record(long nanos) {
            long[] b = boundsNanos;
            int lo = 0;
            int hi = b.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (b[mid] < nanos) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            buckets[lo].increment(); // the first bucket whose bound is >= nanos (le), or +Inf
            sumNanos.add(nanos);
        }
    }

    @Override
    Recorder recorder(String opcode, String code) {
        return series.computeIfAbsent(Labels.of("code", code, "opcode", opcode), l -> new Series());
    }

    @Override
    public String getPrometheusName() {
        return name;
    }

    @Override
    public MetricSnapshot collect() {
        HistogramSnapshot.Builder b = HistogramSnapshot.builder().name(name).help(help);
        for (Map.Entry<Labels, Series> e : series.entrySet()) {
            Series s = e.getValue();
            long[] counts = new long[s.buckets.length];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = s.buckets[i].sum();
            }
            b.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(boundsSeconds, counts))
                    .sum(s.sumNanos.sum() / 1e9)
                    .labels(e.getKey())
                    .build());
        }
        return b.build();
    }
}
