/**
 * Configuration of the server process: YAML files with profiles, environment variables and flags,
 * in a documented order of precedence, validated at start
 * ({@link org.mcpjava.observability.config.ConfigLoader}, keys in
 * {@link org.mcpjava.observability.config.ServerKeys}).
 */
package org.mcpjava.observability.config;
