package com.example.deps;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.commons.text.WordUtils;

/** A small JSON service: "/" greets (Jackson writes the JSON), "/health" answers "ok". HOST:PORT, default 0.0.0.0:8080. */
public final class App {
    private static final ObjectMapper JSON = new ObjectMapper();

    private App() {}

    static String greeting() throws IOException {
        Map<String, String> body = Map.of(
                "message", WordUtils.capitalizeFully("hello from java with dependencies"),
                "java", Runtime.version().toString());
        return JSON.writeValueAsString(body) + "\n";
    }

    private static void reply(HttpExchange exchange, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    public static void main(String[] args) throws IOException {
        String host = System.getenv().getOrDefault("HOST", "0.0.0.0");
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        String text = greeting();
        server.createContext("/health", exchange -> reply(exchange, "text/plain; charset=utf-8", "ok\n"));
        server.createContext("/", exchange -> reply(exchange, "application/json", text));
        server.start();
        System.out.println("listening on " + host + ":" + port);
    }
}
