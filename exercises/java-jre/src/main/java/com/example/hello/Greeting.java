package com.example.hello;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** The service's only business logic, kept free of HTTP so it can be tested without a server. */
public final class Greeting {

    static final int MAX_NAME = 40;

    private Greeting() {
    }

    /** Builds the greeting for a name; blank or missing names become "world", long names are cut. */
    public static String greet(String name) {
        String n = name == null ? "" : name.strip();
        if (n.isEmpty()) {
            n = "world";
        }
        if (n.length() > MAX_NAME) {
            n = n.substring(0, MAX_NAME);
        }
        return "Hello, " + n + "!";
    }

    /** Returns the value of {@code name=} in a raw query string such as {@code a=1&name=Ada%20L}, or null. */
    public static String nameFromQuery(String rawQuery) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals("name")) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
