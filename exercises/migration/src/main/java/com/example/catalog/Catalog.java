package com.example.catalog;

import java.util.List;
import java.util.Optional;

/** An in-memory product catalogue and its JSON rendering (no libraries, so the JSON is written by hand). */
public final class Catalog {

    /** One product. */
    public record Item(int id, String name, int priceCents) {
        String toJson() {
            return "{\"id\":" + id + ",\"name\":\"" + escape(name) + "\",\"priceCents\":" + priceCents + "}";
        }
    }

    private final List<Item> items;

    public Catalog(List<Item> items) {
        this.items = List.copyOf(items);
    }

    /** The catalogue the service starts with. */
    public static Catalog demo() {
        return new Catalog(List.of(
                new Item(1, "Build stage", 0),
                new Item(2, "Runtime stage", 1999),
                new Item(3, "Slim \"JRE\" base", 4999)));
    }

    public List<Item> all() {
        return items;
    }

    public Optional<Item> byId(int id) {
        return items.stream().filter(i -> i.id() == id).findFirst();
    }

    public String toJson() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(items.get(i).toJson());
        }
        return sb.append(']').toString();
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
