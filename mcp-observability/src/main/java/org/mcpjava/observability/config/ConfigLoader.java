package org.mcpjava.observability.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds a {@link Config} from layers, each overriding the ones before it:
 * <ol>
 * <li>the keys' defaults;</li>
 * <li>the base YAML file ({@code --config FILE} or {@code MCP_CONFIG});</li>
 * <li>the profile overlay next to it: profile {@code prod} of {@code conf/mcp.yaml} is
 *     {@code conf/mcp-prod.yaml}, chosen by {@code MCP_PROFILE} (or {@code --profile});</li>
 * <li>environment variables: {@code MCP_SERVER_PORT} for {@code server.port} (see
 *     {@link ConfigKey#envName()});</li>
 * <li>command-line flags.</li>
 * </ol>
 * Files are YAML mappings nested by the dotted key names ({@code server: {port: 19779}}); a dotted
 * key on one line ({@code server.port: 19779}) works too. Unknown keys, in files or as
 * {@code MCP_<SECTION>_...} variables, are errors, as are values of the wrong type or range: the
 * message names the key, the value and its source.
 */
public final class ConfigLoader {
    /** The variable that chooses the profile. */
    public static final String PROFILE_ENV = "MCP_PROFILE";
    /** The variable that names the base file when no flag does. */
    public static final String CONFIG_ENV = "MCP_CONFIG";

    private final List<ConfigKey<?>> keys;
    private final Map<String, ConfigKey<?>> byName = new LinkedHashMap<>();
    private final Set<String> sections = new HashSet<>();
    private Path file;
    private String fileSource;
    private String profile;
    private String profileSource;
    private Map<String, String> env = Map.of();
    private final Map<String, ConfigKey<?>> envAliases = new LinkedHashMap<>();
    private final List<Raw> flags = new ArrayList<>();

    /** A value as written, before parsing. */
    private record Raw(String key, String text, List<String> items, String source) {
    }

    private ConfigLoader(List<ConfigKey<?>> keys) {
        this.keys = List.copyOf(keys);
        for (ConfigKey<?> k : keys) {
            if (byName.put(k.name(), k) != null) {
                throw new IllegalArgumentException("duplicate key " + k.name());
            }
            sections.add(k.name().substring(0, Math.max(0, k.name().indexOf('.'))));
        }
    }

    /** A loader for {@code keys}. */
    public static ConfigLoader of(List<ConfigKey<?>> keys) {
        return new ConfigLoader(keys);
    }

    /** The base file ({@code null}: {@link #CONFIG_ENV} if set, else none); {@code source} says who chose it. */
    public ConfigLoader file(Path file, String source) {
        this.file = file;
        this.fileSource = source;
        return this;
    }

    /** The profile ({@code null}: {@link #PROFILE_ENV} if set, else none); {@code source} says who chose it. */
    public ConfigLoader profile(String profile, String source) {
        this.profile = profile;
        this.profileSource = source;
        return this;
    }

    /** The environment (default: none; pass {@code System.getenv()}). */
    public ConfigLoader env(Map<String, String> env) {
        this.env = Objects.requireNonNull(env, "env");
        return this;
    }

    /**
     * Also reads {@code key} from the variable {@code name}, below the key's own variable (for
     * names kept for compatibility, e.g. {@code MCP_TOKEN}).
     */
    public ConfigLoader envAlias(String name, ConfigKey<?> key) {
        envAliases.put(name, key);
        return this;
    }

    /** A flag's value for {@code key} ({@code null}: the flag was not given). */
    public ConfigLoader flag(ConfigKey<?> key, String value, String flag) {
        if (value != null) {
            flags.add(new Raw(key.name(), value, null, "flag " + flag));
        }
        return this;
    }

    /** A flag's list value for {@code key} ({@code null} or empty: not given). */
    public ConfigLoader flag(ConfigKey<?> key, List<String> values, String flag) {
        if (values != null && !values.isEmpty()) {
            flags.add(new Raw(key.name(), String.join(",", values), List.copyOf(values), "flag " + flag));
        }
        return this;
    }

    /**
     * A generic {@code key=value} flag (e.g. {@code --set server.port=1234}).
     *
     * @throws ConfigException if it is not {@code key=value} or names no key
     */
    public ConfigLoader set(String assignment, String flag) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException(null, flag + " " + assignment + ": expected key=value");
        }
        String key = assignment.substring(0, eq).trim();
        requireKnown(key, "flag " + flag);
        flags.add(new Raw(key, assignment.substring(eq + 1), null, "flag " + flag));
        return this;
    }

    /**
     * Reads the files and variables, applies the layers and validates every value.
     *
     * @throws ConfigException naming the key, value and source of the first problem
     */
    public Config load() {
        Map<String, Raw> layered = new LinkedHashMap<>();
        List<Path> files = new ArrayList<>();
        Path base = file;
        String baseSource = fileSource;
        if (base == null && env.get(CONFIG_ENV) != null && !env.get(CONFIG_ENV).isBlank()) {
            base = Path.of(env.get(CONFIG_ENV).trim());
            baseSource = "env " + CONFIG_ENV;
        }
        String chosen = profile;
        String chosenSource = profileSource;
        if (chosen == null && env.get(PROFILE_ENV) != null && !env.get(PROFILE_ENV).isBlank()) {
            chosen = env.get(PROFILE_ENV).trim();
            chosenSource = "env " + PROFILE_ENV;
        }
        if (chosen != null && !chosen.matches("[A-Za-z0-9_.-]+")) {
            throw new ConfigException(null, "profile \"" + chosen + "\" (" + chosenSource
                    + "): use letters, digits, '.', '_' and '-'");
        }
        if (base != null) {
            readFile(base, "file " + base + " (" + baseSource + ")", "file " + base.getFileName(), layered);
            files.add(base);
            if (chosen != null) {
                Path overlay = overlayOf(base, chosen);
                if (!Files.isRegularFile(overlay)) {
                    throw new ConfigException(null, "profile \"" + chosen + "\" (" + chosenSource + ") needs "
                            + overlay + ", which does not exist");
                }
                readFile(overlay, "profile file " + overlay, "profile file " + overlay.getFileName(), layered);
                files.add(overlay);
            }
        } else if (chosen != null) {
            throw new ConfigException(null, "profile \"" + chosen + "\" (" + chosenSource
                    + ") needs a base configuration file (--config FILE or " + CONFIG_ENV + ")");
        }
        readEnv(layered);
        for (Raw r : flags) {
            layered.put(r.key(), r);
        }
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        for (ConfigKey<?> k : keys) {
            Raw r = layered.get(k.name());
            if (r == null) {
                values.put(k.name(), k.defaultValue());
                sources.put(k.name(), "default");
            } else {
                values.put(k.name(), parse(k, r));
                sources.put(k.name(), r.source());
            }
        }
        return new Config(keys, values, sources, chosen, files);
    }

    /** The overlay of {@code base} for {@code profile}: {@code dir/name-profile.ext}. */
    public static Path overlayOf(Path base, String profile) {
        String name = base.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String overlay = dot > 0 ? name.substring(0, dot) + "-" + profile + name.substring(dot)
                : name + "-" + profile;
        return base.resolveSibling(overlay);
    }

    private static Object parse(ConfigKey<?> k, Raw r) {
        if (r.text() == null) {
            return null;
        }
        if (k.isList() && r.items() != null) {
            List<String> items = new ArrayList<>();
            for (String item : r.items()) {
                if (!item.isBlank()) {
                    items.add(item.trim());
                }
            }
            return List.copyOf(items);
        }
        try {
            return k.parse(r.text());
        } catch (IllegalArgumentException e) {
            throw ConfigException.badValue(k.name(), r.items() != null ? r.items() : r.text(), r.source(), e.getMessage());
        }
    }

    // ------------------------------------------------------------ layers

    private void readEnv(Map<String, Raw> layered) {
        for (Map.Entry<String, ConfigKey<?>> alias : envAliases.entrySet()) {
            String v = env.get(alias.getKey());
            if (v != null && !v.isEmpty()) {
                layered.put(alias.getValue().name(), new Raw(alias.getValue().name(), v, null, "env " + alias.getKey()));
            }
        }
        Map<String, ConfigKey<?>> byEnv = new LinkedHashMap<>();
        for (ConfigKey<?> k : keys) {
            byEnv.put(k.envName(), k);
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            String var = e.getKey();
            ConfigKey<?> k = byEnv.get(var);
            if (k != null) {
                layered.put(k.name(), new Raw(k.name(), e.getValue(), null, "env " + var));
            } else if (looksLikeKey(var)) {
                throw new ConfigException(null, "unknown configuration variable " + var + suggestion(var, byEnv.keySet()));
            }
        }
    }

    /** {@code MCP_<SECTION>_...} for a section of the keys: a misspelt key rather than some other tool's variable. */
    private boolean looksLikeKey(String var) {
        for (String s : sections) {
            if (var.startsWith("MCP_" + s.toUpperCase(Locale.ROOT) + "_")) {
                return true;
            }
        }
        return false;
    }

    private void readFile(Path path, String describe, String source, Map<String, Raw> layered) {
        if (!Files.isRegularFile(path)) {
            throw new ConfigException(null, "configuration " + describe + " does not exist");
        }
        JsonNode root;
        try {
            YAMLMapper yaml = new YAMLMapper(YAMLFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());
            yaml.enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
            root = yaml.readTree(path.toFile());
        } catch (JsonProcessingException e) {
            throw new ConfigException(null, "configuration " + describe + " is not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        } catch (IOException e) {
            throw new ConfigException(null, "cannot read configuration " + describe + ": " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return; // an empty file sets nothing
        }
        if (!root.isObject()) {
            throw new ConfigException(null, "configuration " + describe + " must be a mapping of keys (e.g. server: {port: 19779})");
        }
        flatten("", root, source, layered);
    }

    private void flatten(String prefix, JsonNode node, String source, Map<String, Raw> layered) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            JsonNode value = e.getValue();
            ConfigKey<?> k = byName.get(key);
            if (k == null) {
                if (value.isObject() && isPrefix(key)) {
                    flatten(key, value, source, layered);
                    continue;
                }
                requireKnown(key, source);
            }
            if (value.isNull()) {
                if (k.defaultValue() != null) {
                    throw new ConfigException(key, key + " (" + source + ") has no value; remove the line to use the default");
                }
                layered.put(key, new Raw(key, null, null, source)); // an optional key explicitly unset
                continue;
            }
            if (value.isArray()) {
                if (!k.isList()) {
                    throw ConfigException.badValue(key, value.toString(), source, "expected a single value, not a list");
                }
                List<String> items = new ArrayList<>();
                for (JsonNode item : value) {
                    if (!item.isValueNode()) {
                        throw ConfigException.badValue(key, value.toString(), source, "list items must be plain values");
                    }
                    items.add(item.asText());
                }
                layered.put(key, new Raw(key, String.join(",", items), items, source));
            } else if (value.isObject()) {
                throw ConfigException.badValue(key, value.toString(), source, "expected a value, not a mapping");
            } else {
                layered.put(key, new Raw(key, value.asText(), null, source));
            }
        }
    }

    private boolean isPrefix(String key) {
        for (String name : byName.keySet()) {
            if (name.startsWith(key + ".")) {
                return true;
            }
        }
        return false;
    }

    private void requireKnown(String key, String source) {
        if (!byName.containsKey(key)) {
            throw new ConfigException(key, "unknown configuration key " + key + " (" + source + ")"
                    + suggestion(key, byName.keySet()));
        }
    }

    /** "; did you mean X?" for the closest known name, if close enough. */
    private static String suggestion(String given, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(normalize(given), normalize(k));
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best != null && bestDistance <= 3 ? "; did you mean " + best + "?" : "";
    }

    private static String normalize(String s) {
        return s.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "").replace(".", "");
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
