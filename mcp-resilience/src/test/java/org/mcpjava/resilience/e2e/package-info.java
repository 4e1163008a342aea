/**
 * End-to-end tests of the resilient client over loopback: real servers stopped and started, a
 * server and a client as separate processes killed with SIGKILL. They synchronise on state and
 * output, never on sleeps; time limits are generous guards, not measurements.
 */
package org.mcpjava.resilience.e2e;
