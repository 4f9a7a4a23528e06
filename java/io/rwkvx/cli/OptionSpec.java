package io.rwkvx.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options one subcommand accepts, in the groups its usage shows: first its own ("Options"), then
 * groups shared with other commands (the model options of {@link ModelChoice}, the RWKV-X options of
 * {@link HybridChoice}). An option name appears once.
 */
final class OptionSpec {
    /** The title of a command's own options. */
    static final String OWN = "Options";

    /**
     * A titled list of options.
     *
     * @param title the heading in usage texts
     * @param note  a sentence under the heading, or null
     */
    record Group(String title, String note, List<Option> options) {
        Group {
            options = List.copyOf(options);
        }
    }

    private final List<Group> groups;
    private final Map<String, Option> byName = new LinkedHashMap<>();

    private OptionSpec(List<Group> groups) {
        this.groups = List.copyOf(groups);
        for (Group g : groups)
            for (Option o : g.options())
                if (byName.putIfAbsent(o.name(), o) != null)
                    throw new IllegalArgumentException("option " + o.name() + " declared twice");
    }

    /** A command's own options. */
    static OptionSpec of(Option... options) {
        return new OptionSpec(List.of(new Group(OWN, null, List.of(options))));
    }

    /** These options and then {@code group}. */
    OptionSpec and(Group group) {
        List<Group> all = new ArrayList<>(groups);
        all.add(group);
        return new OptionSpec(all);
    }

    List<Group> groups() {
        return groups;
    }

    /** The option called {@code name}, or null when the command has no such option. */
    Option option(String name) {
        return byName.get(name);
    }

    /** Whether {@code group} (compared by title) is one of these groups. */
    boolean has(Group group) {
        return groups.stream().anyMatch(g -> g.title().equals(group.title()));
    }

    /** Every option, in usage order. */
    List<Option> all() {
        return List.copyOf(byName.values());
    }
}
