package com.example.catalog;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The "legacy" catalogue service: plain Java on the JDK's built-in HTTP server, no framework.
 *
 * <p>Environment: HOST, PORT (defaults 0.0.0.0, 8080), APP_PROFILE (default "dev"). Arguments:
 * {@code --profile=NAME} overrides APP_PROFILE. Routes: {@code /} (service info), {@code /items},
 * {@code /items/{id}}, {@code /healthz}.
 */
public final class App {

    private App() {
    }

    /** The active profile: the last --profile= argument, else APP_PROFILE, else "dev". */
    static String profile(String[] args, String envValue) {
        String profile = envValue == null || envValue.isBlank() ? "dev" : envValue;
        for (String arg : args) {
            if (arg.startsWith("--profile=")) {
                profile = arg.substring("--profile=".length());
            } else {
                throw new IllegalArgumentException("unknown argument: " + arg);
            }
        }
        return profile;
    }

    public static void main(String[] args) throws IOException {
        String profile = profile(args, System.getenv("APP_PROFILE"));
        String host = env("HOST", "0.0.0.0");
        int port = Integer.parseInt(env("PORT", "8080"));
        Catalog catalog = Catalog.demo();

        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.createContext("/healthz", ex -> reply(ex, 200, "text/plain", "ok\n"));
        server.createContext("/items", ex -> {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/items") || path.equals("/items/")) {
                reply(ex, 200, "application/json", catalog.toJson() + "\n");
                return;
            }
            try {
                int id = Integer.parseInt(path.substring("/items/".length()));
                var item = catalog.byId(id);
                if (item.isPresent()) {
                    reply(ex, 200, "application/json", item.get().toJson() + "\n");
                } else {
                    reply(ex, 404, "text/plain", "no such item\n");
                }
            } catch (NumberFormatException e) {
                reply(ex, 400, "text/plain", "bad item id\n");
            }
        });
        server.createContext("/", ex -> {
            if (!ex.getRequestURI().getPath().equals("/")) {
                reply(ex, 404, "text/plain", "not found\n");
                return;
            }
            reply(ex, 200, "application/json", "{\"service\":\"catalog\",\"profile\":\"" + Catalog.escape(profile)
                    + "\",\"java\":\"" + System.getProperty("java.version") + "\",\"items\":"
                    + catalog.all().size() + "}\n");
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(1)));
        server.start();
        System.out.println("catalog listening on " + host + ":" + port + " (profile " + profile + ")");
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static void reply(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
