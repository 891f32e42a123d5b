package dev.capstream.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The "add" and "replace" operations of RFC 6902, which the kustomize overlays use, applied to a
 * parsed YAML document (maps and lists), so the tests check the manifests the overlays produce.
 */
final class JsonPatch {

    private JsonPatch() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> apply(Map<String, Object> document, List<Map<String, Object>> operations) {
        Map<String, Object> copy = (Map<String, Object>) deepCopy(document);
        for (Map<String, Object> op : operations) {
            String kind = (String) op.get("op");
            String[] path = ((String) op.get("path")).substring(1).split("/");
            Object parent = copy;
            for (int i = 0; i < path.length - 1; i++) {
                parent = child(parent, path[i], op);
            }
            String last = path[path.length - 1];
            Object value = deepCopy(op.get("value"));
            switch (kind) {
                case "add" -> {
                    if (parent instanceof List<?> list) {
                        ((List<Object>) list).add(last.equals("-") ? list.size() : Integer.parseInt(last), value);
                    } else {
                        ((Map<String, Object>) parent).put(last, value);
                    }
                }
                case "replace" -> {
                    if (parent instanceof List<?> list) {
                        ((List<Object>) list).set(Integer.parseInt(last), value);
                    } else {
                        if (!((Map<String, Object>) parent).containsKey(last)) {
                            throw new IllegalArgumentException("replace of a missing member: " + op);
                        }
                        ((Map<String, Object>) parent).put(last, value);
                    }
                }
                default -> throw new IllegalArgumentException("operation not handled here: " + op);
            }
        }
        return copy;
    }

    private static Object child(Object parent, String token, Map<String, Object> op) {
        Object next = parent instanceof List<?> list ? list.get(Integer.parseInt(token)) : ((Map<?, ?>) parent).get(token);
        if (next == null) {
            throw new IllegalArgumentException("path does not exist in the base manifest: " + op);
        }
        return next;
    }

    private static Object deepCopy(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, v) -> copy.put((String) k, deepCopy(v)));
            return copy;
        }
        if (o instanceof List<?> l) {
            List<Object> copy = new ArrayList<>();
            l.forEach(v -> copy.add(deepCopy(v)));
            return copy;
        }
        return o;
    }
}
