/**
 * Topics and subscriptions of the publish/subscribe broker (MCP/1 section 8): validation of topic
 * names and filters ({@link org.mcpjava.broker.topic.Topics}, {@link org.mcpjava.broker.topic.Filter}),
 * the subscription trie that finds who receives a PUBLISH ({@link org.mcpjava.broker.topic.TopicTree}),
 * and the retained-message map consulted when a subscription is made
 * ({@link org.mcpjava.broker.topic.RetainedMessages}).
 *
 * <p>Matching follows MQTT: levels are separated by {@code '/'} and empty levels are real levels;
 * {@code '+'} matches exactly one level, {@code '#'} the parent level and any number of child
 * levels; a filter whose first level is a wildcard does not match topics beginning with
 * {@code '$'}; {@code $share/GROUP/FILTER} delivers each message to one member of GROUP.
 * Invalid input raises {@link org.mcpjava.core.McpException} with
 * {@link org.mcpjava.wire.ErrorCode#TOPIC_INVALID}.
 */
package org.mcpjava.broker.topic;
