package org.mcpjava.broker.topic;

/**
 * A validated topic filter, plain ({@code a/+/c}) or shared ({@code $share/GROUP/a/+/c}).
 * Immutable and thread-safe; equal when the raw filters are equal.
 *
 * <p>A class rather than a record so that only {@link #parse(String)} can make one: every
 * instance is valid and its parts agree with {@link #raw()}.
 */
public final class Filter {
    private static final String SHARE_PREFIX = Topics.SHARE_LEVEL + Topics.SEPARATOR;

    private final String raw;
    private final String shareGroup;
    private final String filter;
    private final boolean wildcards;

    private Filter(String raw, String shareGroup, String filter) {
        this.raw = raw;
        this.shareGroup = shareGroup;
        this.filter = filter;
        this.wildcards = Topics.hasWildcards(filter);
    }

    /**
     * Validates and splits a filter as received in a SUBSCRIPTION (or UNSUBSCRIBE) entry.
     * A filter whose first level is {@code $share} must have the form {@code $share/GROUP/FILTER}
     * where GROUP is non-empty without {@code '+'}, {@code '#'} or {@code '/'}, and FILTER is a
     * valid plain filter (which may not itself start with {@code $share}).
     *
     * @throws org.mcpjava.core.McpException TOPIC_INVALID, naming the offending value
     */
    public static Filter parse(String raw) {
        if (raw == null) {
            throw Topics.invalid("topic filter is missing");
        }
        Topics.checkLength(raw, "topic filter");
        if (!raw.startsWith(SHARE_PREFIX)) {
            Topics.checkPlainFilter(raw, raw);
            return new Filter(raw, null, raw);
        }
        int groupStart = SHARE_PREFIX.length();
        int groupEnd = raw.indexOf(Topics.SEPARATOR, groupStart);
        if (groupEnd < 0) {
            throw Topics.invalid("shared filter must be $share/GROUP/FILTER: " + Topics.quote(raw));
        }
        if (groupEnd == groupStart) {
            throw Topics.invalid("shared filter has an empty group: " + Topics.quote(raw));
        }
        for (int i = groupStart; i < groupEnd; i++) {
            char c = raw.charAt(i);
            if (c == Topics.SINGLE_LEVEL || c == Topics.MULTI_LEVEL || c == 0) {
                throw Topics.invalid("share group must not contain '+', '#' or NUL: " + Topics.quote(raw));
            }
        }
        String topicFilter = raw.substring(groupEnd + 1);
        Topics.checkPlainFilter(topicFilter, raw);
        return new Filter(raw, raw.substring(groupStart, groupEnd), topicFilter);
    }

    /** The filter exactly as received, e.g. {@code $share/g/a/#}. */
    public String raw() {
        return raw;
    }

    /** The share group name, or {@code null} for a plain filter. */
    public String shareGroup() {
        return shareGroup;
    }

    /** The topic filter that is matched against topics: {@link #raw()} without {@code $share/GROUP/}. */
    public String filter() {
        return filter;
    }

    /** Whether this is a {@code $share/GROUP/FILTER} subscription. */
    public boolean isShared() {
        return shareGroup != null;
    }

    /** Whether {@link #filter()} contains {@code '+'} or {@code '#'}; without, it matches one topic. */
    public boolean hasWildcards() {
        return wildcards;
    }

    /** Whether this filter matches {@code topic}; see {@link Topics#matches(String, String)}. */
    public boolean matches(String topic) {
        return Topics.matches(filter, topic);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Filter other && raw.equals(other.raw);
    }

    @Override
    public int hashCode() {
        return raw.hashCode();
    }

    /** The raw filter. */
    @Override
    public String toString() {
        return raw;
    }
}
