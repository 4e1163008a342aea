/**
 * The publish/subscribe broker: {@link org.mcpjava.broker.Broker} routes PUBLISH to the
 * {@link org.mcpjava.broker.Session}s whose filters match, runs the QoS 0/1/2 flows towards each
 * client within its RECEIVE_WINDOW, keeps sessions across disconnects and restarts through a
 * {@link org.mcpjava.broker.store.SessionStore}, and expires them. It knows nothing of channels: a
 * connection plugs in as a {@link org.mcpjava.broker.SessionOutput}.
 */
package org.mcpjava.broker;
