package com.example.hello;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * A tiny HTTP service on the JDK's built-in server (module jdk.httpserver), no dependencies.
 *
 * <p>Listens on HOST:PORT (defaults 0.0.0.0:8080). Routes: {@code /} (greeting, {@code ?name=}),
 * {@code /healthz} ("ok").
 */
public final class App {

    private App() {
    }

    public static void main(String[] args) throws IOException {
        String host = env("HOST", "0.0.0.0");
        int port = Integer.parseInt(env("PORT", "8080"));

        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.createContext("/healthz", ex -> reply(ex, 200, "ok\n"));
        server.createContext("/", ex -> {
            if (!ex.getRequestURI().getPath().equals("/")) {
                reply(ex, 404, "not found\n");
                return;
            }
            String name = Greeting.nameFromQuery(ex.getRequestURI().getRawQuery());
            reply(ex, 200, Greeting.greet(name) + " (java " + System.getProperty("java.version") + ")\n");
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(1)));
        server.start();
        System.out.println("java-jre service listening on " + host + ":" + port);
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
