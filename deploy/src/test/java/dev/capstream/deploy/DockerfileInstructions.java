package dev.capstream.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A Dockerfile as its instructions: comments dropped, continuation lines joined. */
record DockerfileInstructions(List<Instruction> instructions) {

    record Instruction(String keyword, String arguments) {
    }

    static DockerfileInstructions parse(Path file) {
        List<Instruction> out = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (String raw : DeployFiles.read(file).lines().toList()) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && pending.isEmpty())) {
                continue; // a comment, also inside a continued instruction
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            pending.append(line);
            String text = pending.toString().strip();
            pending.setLength(0);
            if (text.isEmpty()) {
                continue;
            }
            int space = text.indexOf(' ');
            out.add(space < 0 ? new Instruction(text.toUpperCase(Locale.ROOT), "")
                    : new Instruction(text.substring(0, space).toUpperCase(Locale.ROOT), text.substring(space + 1).strip()));
        }
        return new DockerfileInstructions(out);
    }

    List<String> all(String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
    }

    /** The instructions of the last stage (from its FROM on). */
    DockerfileInstructions finalStage() {
        int from = 0;
        for (int i = 0; i < instructions.size(); i++) {
            if (instructions.get(i).keyword().equals("FROM")) {
                from = i;
            }
        }
        return new DockerfileInstructions(instructions.subList(from, instructions.size()));
    }

    /** An exec-form (JSON array) argument as its strings. */
    static List<String> execForm(String arguments) {
        String a = arguments.strip();
        if (!a.startsWith("[") || !a.endsWith("]")) {
            throw new IllegalArgumentException("not the exec (JSON array) form: " + arguments);
        }
        List<String> out = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(a);
        while (m.find()) {
            out.add(m.group(1).replace("\\\\", "\\").replace("\\\"", "\""));
        }
        return out;
    }
}
