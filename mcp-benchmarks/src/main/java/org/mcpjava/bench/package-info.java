/**
 * JMH micro-benchmarks of the MCP/1 wire codec. Not a library: the module builds the executable
 * {@code target/benchmarks.jar}; how to run it and read its figures is in {@code docs/benchmarks.md}.
 */
package org.mcpjava.bench;
