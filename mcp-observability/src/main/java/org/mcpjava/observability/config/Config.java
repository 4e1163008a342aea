package org.mcpjava.observability.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An effective configuration: every key's value and where it came from (a default, a file, an
 * environment variable, a flag). Immutable; built by {@link ConfigLoader}.
 */
public final class Config {
    private final List<ConfigKey<?>> keys;
    private final Map<String, Object> values;
    private final Map<String, String> sources;
    private final String profile;
    private final List<Path> files;

    Config(List<ConfigKey<?>> keys, Map<String, Object> values, Map<String, String> sources, String profile,
           List<Path> files) {
        this.keys = List.copyOf(keys);
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
        this.profile = profile;
        this.files = List.copyOf(files);
    }

    /** The value of {@code key} ({@code null} for an optional key that nothing set). */
    @SuppressWarnings("unchecked")
    public <T> T get(ConfigKey<T> key) {
        if (!values.containsKey(key.name())) {
            throw new IllegalArgumentException("not a key of this configuration: " + key.name());
        }
        return (T) values.get(key.name());
    }

    /** Where {@code key}'s value came from: {@code default}, {@code file mcp.yaml}, {@code env MCP_...}, {@code flag --...}. */
    public String source(ConfigKey<?> key) {
        return sources.get(key.name());
    }

    /** The profile chosen, or {@code null}. */
    public String profile() {
        return profile;
    }

    /** The files read, base first. */
    public List<Path> files() {
        return files;
    }

    /**
     * The configuration as YAML that {@link ConfigLoader} reads back, each value commented with its
     * source; secrets are masked ({@code "****"}).
     */
    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Effective configuration. Precedence, lowest first: defaults < ");
        sb.append(files.isEmpty() ? "(no file)" : String.join(" < ", fileNames()));
        sb.append(" < environment (MCP_*) < flags.\n");
        if (profile != null) {
            sb.append("# profile: ").append(profile).append('\n');
        }
        String section = null;
        List<String[]> lines = new ArrayList<>();
        for (ConfigKey<?> key : keys) {
            String name = key.name();
            int dot = name.indexOf('.');
            String s = name.substring(0, dot);
            if (!s.equals(section)) {
                flush(sb, lines);
                sb.append(s).append(":\n");
                section = s;
            }
            lines.add(new String[] {"  " + name.substring(dot + 1) + ": " + yaml(key), sources.get(name)});
        }
        flush(sb, lines);
        return sb.toString();
    }

    private List<String> fileNames() {
        List<String> names = new ArrayList<>();
        for (Path p : files) {
            names.add(String.valueOf(p.getFileName()));
        }
        return names;
    }

    private static void flush(StringBuilder sb, List<String[]> lines) {
        int width = 0;
        for (String[] l : lines) {
            width = Math.max(width, l[0].length());
        }
        for (String[] l : lines) {
            sb.append(l[0]).append(" ".repeat(width - l[0].length() + 2)).append("# ").append(l[1]).append('\n');
        }
        lines.clear();
    }

    @SuppressWarnings("unchecked")
    private <T> String yaml(ConfigKey<T> key) {
        T value = (T) values.get(key.name());
        if (value == null) {
            return "null";
        }
        Object rendered = key.render(value);
        if (key.isSecret()) {
            if (rendered instanceof List) {
                List<String> masked = new ArrayList<>();
                for (int i = 0; i < ((List<?>) rendered).size(); i++) {
                    masked.add("****");
                }
                rendered = masked;
            } else {
                rendered = "****";
            }
        }
        return scalarOrList(rendered);
    }

    private static String scalarOrList(Object v) {
        if (v instanceof List) {
            List<String> items = new ArrayList<>();
            for (Object o : (List<?>) v) {
                items.add(scalarOrList(o));
            }
            return "[" + String.join(", ", items) + "]";
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        return quote(v.toString());
    }

    /** A YAML double-quoted scalar. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }
}
