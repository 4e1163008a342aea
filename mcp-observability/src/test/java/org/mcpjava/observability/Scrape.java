package org.mcpjava.observability;

import java.util.ArrayList;
import java.util.List;

/** Reads samples out of a Prometheus text exposition. */
public final class Scrape {
    private final String text;

    public Scrape(String text) {
        this.text = text;
    }

    /**
     * The sum of the samples of {@code name} whose labels contain every one of {@code labels}
     * (each written as {@code key="value"}); -1 if there is none.
     */
    public double value(String name, String... labels) {
        double sum = 0;
        boolean found = false;
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            String labelPart = line.startsWith(name + "{") ? line.substring(name.length(), line.lastIndexOf('}') + 1) : "";
            boolean all = true;
            for (String l : labels) {
                if (!labelPart.contains(l)) {
                    all = false;
                    break;
                }
            }
            if (all) {
                found = true;
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return found ? sum : -1;
    }

    /** The sample lines of {@code name} (for failure messages). */
    public List<String> lines(String name) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith(name)) {
                out.add(line);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return text;
    }
}
