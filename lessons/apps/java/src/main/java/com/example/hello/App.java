package com.example.hello;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** A tiny web service: "/" greets, "/health" answers "ok". Listens on HOST:PORT (default 0.0.0.0:8080). */
public final class App {
    private App() {}

    static String greeting(String profile) {
        return "hello from java " + Runtime.version() + " (profile " + profile + ")\n";
    }

    private static void reply(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    public static void main(String[] args) throws IOException {
        String profile = System.getenv().getOrDefault("APP_PROFILE", "default");
        for (String arg : args) {
            if (arg.startsWith("--profile=")) {
                profile = arg.substring("--profile=".length());
            }
        }
        String host = System.getenv().getOrDefault("HOST", "0.0.0.0");
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        String text = greeting(profile);
        server.createContext("/health", exchange -> reply(exchange, "ok\n"));
        server.createContext("/", exchange -> reply(exchange, text));
        server.start();
        System.out.println("listening on " + host + ":" + port);
    }
}
