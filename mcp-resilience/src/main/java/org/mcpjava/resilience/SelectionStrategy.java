package org.mcpjava.resilience;

/** How a {@link ConnectionPool} picks the connection for a call, among the connected ones with room. */
public enum SelectionStrategy {
    /** The one with the fewest calls in flight; ties go round robin. Adapts to slow connections. */
    LEAST_IN_FLIGHT,
    /** Each in turn. */
    ROUND_ROBIN
}
