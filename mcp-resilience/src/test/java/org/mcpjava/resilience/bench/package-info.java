/**
 * The resilience benchmark harness ({@link org.mcpjava.resilience.bench.ResilienceBench}): prints
 * figures for docs/benchmarks.md, asserts nothing, and is not run by the build.
 */
package org.mcpjava.resilience.bench;
