/**
 * An MQTT load generator with the load model of {@code mcp bench --mode pubsub}, so that an MQTT
 * broker (Mosquitto) can be measured under the same load as {@code mcp server}; run by
 * {@code bench/pubsub-vs-mosquitto.sh}. See docs/benchmarks.md.
 */
package org.mcpjava.bench.mqtt;
